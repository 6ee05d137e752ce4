"""Reads a DenseRay SR with pydicom (an independent reader) and prints what it says as JSON.

For each TID 1501 measurement group: the finding code, the numbers and codes it holds, the images
it references; every coded concept in the document with the meaning pydicom's copy of PS3.16
gives for it (null when pydicom does not list the code); the report-level qualitative evaluations.

usage: inspect_sr.py SR_FILE
"""
import json
import sys

import pydicom
from pydicom.sr._concepts_dict import concepts


def known_meaning(scheme, value):
    """The meaning PS3.16 gives the code; '|'-joined when its entries disagree; None when it has none."""
    meanings = sorted({codes[value][0] for codes in concepts.get(scheme, {}).values() if value in codes})
    return ' | '.join(meanings) if meanings else None


def code_of(seq):
    item = seq[0]
    return {'scheme': item.CodingSchemeDesignator, 'value': item.CodeValue, 'meaning': item.CodeMeaning}


def walk(item, coded):
    for attr in ('ConceptNameCodeSequence', 'ConceptCodeSequence'):
        if attr in item:
            c = code_of(getattr(item, attr))
            c['standardMeaning'] = known_meaning(c['scheme'], c['value'])
            coded.append(c)
    if 'MeasuredValueSequence' in item:
        c = code_of(item.MeasuredValueSequence[0].MeasurementUnitsCodeSequence)
        c['standardMeaning'] = known_meaning(c['scheme'], c['value'])
        coded.append(c)
    for child in item.get('ContentSequence', []):
        walk(child, coded)


def summarise(item):
    out = {'valueType': item.ValueType, 'relationship': item.get('RelationshipType')}
    if 'ConceptNameCodeSequence' in item:
        out['name'] = code_of(item.ConceptNameCodeSequence)['meaning']
    if item.ValueType == 'CODE':
        out['value'] = code_of(item.ConceptCodeSequence)
    elif item.ValueType == 'NUM':
        mv = item.MeasuredValueSequence[0]
        out['value'] = float(mv.NumericValue)
        out['floating'] = float(mv.FloatingPointValue) if 'FloatingPointValue' in mv else None
    elif item.ValueType in ('TEXT', 'UIDREF'):
        out['value'] = str(item.get('TextValue', item.get('UID')))
    elif item.ValueType == 'IMAGE':
        out['value'] = str(item.ReferencedSOPSequence[0].ReferencedSOPInstanceUID)
    return out


def main():
    ds = pydicom.dcmread(sys.argv[1])
    coded = []
    walk(ds, coded)
    groups, evaluations, library = [], [], []
    for child in ds.ContentSequence:
        name = code_of(child.ConceptNameCodeSequence)['meaning'] if 'ConceptNameCodeSequence' in child else None
        if name == 'Imaging Measurements':
            for group in child.ContentSequence:
                groups.append([summarise(i) for i in group.ContentSequence])
        elif name == 'Qualitative Evaluations':
            evaluations = [summarise(i) for i in child.ContentSequence]
        elif name == 'Image Library':
            for g in child.ContentSequence:
                library += [summarise(i) for i in g.ContentSequence]
    evidence = [str(s.ReferencedSOPInstanceUID) for st in ds.get('CurrentRequestedProcedureEvidenceSequence', [])
                for se in st.ReferencedSeriesSequence for s in se.ReferencedSOPSequence]
    print(json.dumps({
        'sopClassUid': str(ds.SOPClassUID),
        'studyInstanceUid': str(ds.StudyInstanceUID),
        'patientId': str(ds.PatientID),
        'patientName': str(ds.PatientName),
        'template': [str(t.TemplateIdentifier) for t in ds.get('ContentTemplateSequence', [])],
        'verificationFlag': ds.VerificationFlag,
        'completionFlag': ds.CompletionFlag,
        'privateSchemes': [str(s.CodingSchemeDesignator) for s in ds.get('CodingSchemeIdentificationSequence', [])],
        'library': library,
        'evidence': evidence,
        'groups': groups,
        'evaluations': evaluations,
        'coded': coded,
    }))


if __name__ == '__main__':
    main()
