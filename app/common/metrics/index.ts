export { auroc, averagePrecision, finiteMean } from './ranking.ts';
export { operatingPoint, selectThreshold, type OperatingPoint, type ThresholdRule } from './threshold.ts';
export { expectedCalibrationError, reliabilityCurve, type ReliabilityBin } from './calibration.ts';
export { chooseThresholds, column, evaluateSplit, meanAuroc, type LabelMetrics, type MaybeNumber, type SplitMetrics } from './evaluate.ts';
