/**
 * A report email as the use case hands it to a mailer: HTML referencing two inline PNG
 * charts by `cid:`, a plain-text alternative, a CSV attachment and a non-ASCII company name
 * in the subject. Tests of every mailer adapter send this and read it back.
 */
import type { OutgoingMessage } from '../../src/core/ports';
import { recipientKey } from '../../src/use-cases/recipient-key';

/** A 1×1 blue PNG (a real, decodable image). */
export const BLUE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGOQz98CAAHzAUMBh4NgAAAAAElFTkSuQmCC',
  'base64',
);

/** A 1×1 orange PNG. */
export const ORANGE_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN4Ei4DAAN6AVjarAD+AAAAAElFTkSuQmCC',
  'base64',
);

/** The CSV attached to the sample message, with a quoted comma and a non-ASCII name. */
export const SAMPLE_CSV = 'client_id,name,revenue\nc-1,"Müller & Söhne, GmbH",1200.50\nc-2,Zoë Ltd,99.00\n';

/** The sample message, with any field replaced. */
export function sampleOutgoingMessage(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  const to = overrides.to ?? 'ceo@mueller-soehne.example';
  return {
    recipientKey: recipientKey(to),
    quarter: '2026-Q3',
    from: 'KPI Reports <reports@kpi.example.com>',
    to,
    subject: 'Müller & Söhne: client KPIs for 2026-Q3',
    html:
      '<html><body><h1>Client KPIs, 2026-Q3</h1>' +
      '<img src="cid:revenue-trend@kpi-report" alt="Revenue trend">' +
      '<img src="cid:churn-trend@kpi-report" alt="Churn trend">' +
      '</body></html>',
    text: 'Client KPIs, 2026-Q3\n\nRevenue: 1,299.50 EUR\n',
    inlineImages: [
      {
        cid: 'revenue-trend@kpi-report',
        contentType: 'image/png',
        content: new Uint8Array(BLUE_PNG),
      },
      {
        cid: 'churn-trend@kpi-report',
        contentType: 'image/png',
        content: new Uint8Array(ORANGE_PNG),
      },
    ],
    attachments: [{ filename: 'kpis-2026-Q3.csv', contentType: 'text/csv', content: SAMPLE_CSV }],
    ...overrides,
  };
}
