"""Wraps chest X-ray PNGs as DICOM DX studies with pydicom, as a modality would send them.

An independent writer for DenseRay's DICOM node tests and bench (DenseRay's own writer is under
test). One study per PNG: new Study/Series/SOP Instance UIDs, a fake patient, DX For Presentation,
frontal PA chest. Prints one JSON object per file written.

usage: make_studies.py OUT_DIR [--bits 8|16] [--size WxH] [--modality DX] [--prefix NAME] PNG...
"""
import argparse
import json
import os

import numpy as np
import pydicom
from PIL import Image
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

DX_FOR_PRESENTATION = '1.2.840.10008.5.1.4.1.1.1.1'
CT_IMAGE = '1.2.840.10008.5.1.4.1.1.2'


def study(png, out_dir, index, bits, size, modality, prefix):
    image = Image.open(png).convert('L')
    if size:
        image = image.resize(size, Image.BILINEAR)
    luma = np.asarray(image, dtype=np.uint16)
    if bits == 16:
        # 12 bits stored in 16, as DX detectors write them: L*16 + L>>4 spans 0..4095.
        pixels = (luma * 16 + (luma >> 4)).astype(np.uint16)
        bits_stored = 12
    else:
        pixels = luma.astype(np.uint8)
        bits_stored = 8
    sop_class = CT_IMAGE if modality == 'CT' else DX_FOR_PRESENTATION
    ds = Dataset()
    ds.SpecificCharacterSet = 'ISO_IR 100'
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = f'TEST^{prefix}^{index:03d}'
    ds.PatientID = f'{prefix}-{index:03d}'
    ds.PatientBirthDate = '19700101'
    ds.PatientSex = 'O'
    ds.StudyDate = '20240102'
    ds.StudyTime = '101500'
    ds.AccessionNumber = f'ACC{index:05d}'
    ds.StudyID = str(index)
    ds.ReferringPhysicianName = 'TEST^REFERRER'
    ds.Modality = modality
    ds.SeriesNumber = 1
    ds.InstanceNumber = 1
    ds.BodyPartExamined = 'CHEST'
    ds.ViewPosition = 'PA'
    ds.PresentationIntentType = 'FOR PRESENTATION'
    ds.ImageType = ['ORIGINAL', 'PRIMARY']
    ds.PatientOrientation = ['L', 'F']
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = 'MONOCHROME2'
    ds.Rows, ds.Columns = pixels.shape
    ds.BitsAllocated = 16 if bits == 16 else 8
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.is_little_endian = True
    ds.is_implicit_VR = False
    path = os.path.join(out_dir, f'{prefix.lower()}-{index:03d}.dcm')
    pydicom.dcmwrite(path, ds, write_like_original=False)
    return {'path': path, 'sop': ds.SOPInstanceUID, 'study': ds.StudyInstanceUID, 'series': ds.SeriesInstanceUID,
            'patientId': ds.PatientID, 'rows': int(ds.Rows), 'columns': int(ds.Columns), 'png': png}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('out_dir')
    parser.add_argument('pngs', nargs='+')
    parser.add_argument('--bits', type=int, default=8, choices=[8, 16])
    parser.add_argument('--size', default=None)
    parser.add_argument('--modality', default='DX')
    parser.add_argument('--prefix', default='DR')
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split('x')) if args.size else None
    os.makedirs(args.out_dir, exist_ok=True)
    for i, png in enumerate(args.pngs):
        print(json.dumps(study(png, args.out_dir, i, args.bits, size, args.modality, args.prefix)), flush=True)


if __name__ == '__main__':
    main()
