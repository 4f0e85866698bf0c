// Names written in another character set than the file declares (case
// C14, patients from scripts/charsetCases.ts): the warehouse holds
// exactly the strings Orthanc made of them, byte for byte, C1 control
// characters included, SQL searches them as text, and the typed view
// flags them.

import { expect, test } from '@playwright/test';

import { charsetCases } from '../scripts/charsetCases';
import { e2eEnv } from './env';
import { access, connect, loadAll, runQuery } from './pageSteps';
import { orthancJson } from './orthancApi';

const env = e2eEnv();

interface Patient {
  MainDicomTags: { PatientID?: string; PatientName?: string };
}

const caseIds: string[] = charsetCases.map((c) => c.patientId);

for (const target of env.targets) {
  test(`names in a wrongly declared charset load as Orthanc reads them, on ${target.orthancVersion}`, async ({
    page,
  }) => {
    const patients = await orthancJson<Patient[]>(
      access(target),
      '/patients?expand',
    );
    const expected = patients
      .filter((p) => caseIds.includes(p.MainDicomTags.PatientID ?? ''))
      .map((p) => [
        p.MainDicomTags.PatientID ?? '',
        Buffer.from(p.MainDicomTags.PatientName ?? '', 'utf8')
          .toString('hex')
          .toUpperCase(),
      ])
      .sort();
    expect(expected).toHaveLength(2);
    // Orthanc turned the Windows-1252 bytes into C1 control characters
    const latin = patients.find(
      (p) => p.MainDicomTags.PatientID === 'WH-CHARSET-1252',
    );
    expect(latin?.MainDicomTags.PatientName).toMatch(/^cc\u009e\u009ad\^CC/);

    await connect(page, target);
    await loadAll(page);

    const ids = caseIds.map((id) => `'${id}'`).join(', ');
    const loaded = await runQuery(
      page,
      `SELECT main_dicom_tags__patient_id,
              hex(encode(main_dicom_tags__patient_name))
         FROM orthanc_data.patients_detail
        WHERE main_dicom_tags__patient_id IN (${ids})
        ORDER BY 1`,
    );
    expect(loaded).toEqual(expected);

    const found = await runQuery(
      page,
      `SELECT main_dicom_tags__patient_id FROM orthanc_data.patients_detail
        WHERE main_dicom_tags__patient_name ILIKE 'CC%D^cc%'
           OR main_dicom_tags__patient_name ILIKE '%SKÃ¸BING%'
        ORDER BY 1`,
    );
    expect(found).toEqual([['WH-CHARSET-1252'], ['WH-CHARSET-NONE']]);

    // the typed view flags both: their text holds C1 control characters
    const flagged = await runQuery(
      page,
      `SELECT patient_id, suspect_encoding FROM orthanc_data.dicom_patient
        WHERE patient_id IN (${ids}) ORDER BY 1`,
    );
    expect(flagged).toEqual([
      ['WH-CHARSET-1252', 'true'],
      ['WH-CHARSET-NONE', 'true'],
    ]);
  });
}
