// An invoice as a PDF (pdfkit), in English or Bahasa Indonesia, amounts in the invoice's currency
// written the way its readers write them (Rp 299.000 in Indonesian). Built on request from the
// stored invoice, so it always matches what the API says about it.
import { lazy } from '../../core/lazy.js';
import type { Invoice, InvoiceLine, Payment } from './billing.entity.js';
import { formatDate, formatMoney, type Lang } from './money.js';
import type { BillingSettings } from './settings.js';

const loadPdfKit = lazy(async () => (await import('pdfkit')).default);

const TEXTS = {
  en: {
    title: 'INVOICE',
    number: 'Invoice number',
    issued: 'Issued',
    due: 'Due',
    from: 'From',
    billedTo: 'Billed to',
    taxId: 'Tax ID (NPWP)',
    description: 'Description',
    qty: 'Qty',
    unit: 'Unit price',
    amount: 'Amount',
    subtotal: 'Subtotal',
    discount: 'Discount',
    credit: 'Credit',
    total: 'Total',
    paidAmount: 'Paid',
    refunded: 'Refunded',
    period: 'Period',
    paidOn: (date: string, via: string) => `Paid on ${date} via ${via}`,
    payBy: 'Pay by bank transfer to',
    reference: 'Reference',
    orPayOnline: 'Or pay online from the Billing page of OmniStream.',
    status: { open: 'UNPAID', paid: 'PAID', void: 'VOID', refunded: 'REFUNDED', partially_refunded: 'PARTIALLY REFUNDED' },
    via: { midtrans: 'Midtrans', bank_transfer: 'bank transfer' } as Record<string, string>,
    lines: {
      plan: ({ name }: Args) => `${name} subscription`,
      addon: ({ name }: Args) => `Add-on: ${name}`,
      remaining: ({ name }: Args) => `Remaining time on ${name}`,
      unused: ({ name }: Args) => `Unused time on ${name}`,
      addonRemaining: ({ name, quantity }: Args) => `Add-on: ${name} × ${quantity} (rest of the period)`,
      coupon: ({ code }: Args) => `Coupon ${code}`,
      credit: () => 'Account credit',
    } as Record<string, (a: Args) => string>,
  },
  id: {
    title: 'TAGIHAN',
    number: 'Nomor tagihan',
    issued: 'Tanggal terbit',
    due: 'Jatuh tempo',
    from: 'Dari',
    billedTo: 'Ditagihkan kepada',
    taxId: 'NPWP',
    description: 'Deskripsi',
    qty: 'Jml',
    unit: 'Harga satuan',
    amount: 'Jumlah',
    subtotal: 'Subtotal',
    discount: 'Diskon',
    credit: 'Kredit',
    total: 'Total',
    paidAmount: 'Dibayar',
    refunded: 'Dikembalikan',
    period: 'Periode',
    paidOn: (date: string, via: string) => `Dibayar pada ${date} melalui ${via}`,
    payBy: 'Bayar melalui transfer bank ke',
    reference: 'Berita transfer',
    orPayOnline: 'Atau bayar secara online dari halaman Tagihan di OmniStream.',
    status: {
      open: 'BELUM DIBAYAR',
      paid: 'LUNAS',
      void: 'DIBATALKAN',
      refunded: 'DIKEMBALIKAN',
      partially_refunded: 'DIKEMBALIKAN SEBAGIAN',
    },
    via: { midtrans: 'Midtrans', bank_transfer: 'transfer bank' } as Record<string, string>,
    lines: {
      plan: ({ name }: Args) => `Langganan ${name}`,
      addon: ({ name }: Args) => `Add-on: ${name}`,
      remaining: ({ name }: Args) => `Sisa periode paket ${name}`,
      unused: ({ name }: Args) => `Waktu tak terpakai paket ${name}`,
      addonRemaining: ({ name, quantity }: Args) => `Add-on: ${name} × ${quantity} (sisa periode)`,
      coupon: ({ code }: Args) => `Kupon ${code}`,
      credit: () => 'Kredit akun',
    } as Record<string, (a: Args) => string>,
  },
};
type Args = Record<string, string | number>;

export function lineText(line: InvoiceLine, lang: Lang): string {
  const build = line.descriptionKey ? TEXTS[lang].lines[line.descriptionKey] : undefined;
  return build ? build(line.descriptionArgs ?? {}) : line.description;
}

export async function invoicePdf(
  invoice: Invoice,
  opts: { lang: Lang; settings: BillingSettings; timezone: string; payment?: Payment | null },
): Promise<Buffer> {
  const PDFDocument = await loadPdfKit();
  const t = TEXTS[opts.lang];
  const money = (n: number) => formatMoney(n, invoice.currency, opts.lang);
  const date = (d: Date) => formatDate(d, opts.lang, opts.timezone);
  const seller = opts.settings.seller;
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `${t.title} ${invoice.number}`,
      Author: seller.name,
      Subject: `${invoice.number} — ${invoice.billedTo}`,
      CreationDate: invoice.issuedAt,
    },
    lang: opts.lang === 'id' ? 'id-ID' : 'en-US',
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const left = 50;
  const right = 545;
  doc.font('Helvetica-Bold').fontSize(22).text(t.title, left, 50);
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .fillColor(invoice.status === 'paid' ? '#15803d' : '#b45309');
  doc.text(t.status[invoice.status], left, 56, { width: right - left, align: 'right' });
  doc.fillColor('#000000');

  doc.font('Helvetica').fontSize(10);
  let y = 95;
  const pair = (label: string, value: string) => {
    doc.font('Helvetica-Bold').text(label, left, y, { width: 130 });
    doc.font('Helvetica').text(value, left + 130, y, { width: 250 });
    y += 15;
  };
  pair(t.number, invoice.number);
  pair(t.issued, date(invoice.issuedAt));
  pair(t.due, date(invoice.dueAt));
  if (invoice.periodStart && invoice.periodEnd) pair(t.period, `${date(invoice.periodStart)} – ${date(invoice.periodEnd)}`);

  y += 15;
  const blockTop = y;
  doc.font('Helvetica-Bold').text(t.from, left, y);
  doc
    .font('Helvetica')
    .text(
      [seller.name, seller.address, seller.email, seller.taxId ? `${t.taxId}: ${seller.taxId}` : null].filter(Boolean).join('\n'),
      left,
      y + 14,
      { width: 230 },
    );
  doc.font('Helvetica-Bold').text(t.billedTo, 310, blockTop);
  doc.font('Helvetica').text(invoice.billedTo, 310, blockTop + 14, { width: 235 });
  y = Math.max(doc.y, blockTop + 40) + 25;

  // The lines
  const cols = { desc: left, qty: 330, unit: 370, amount: 455 };
  doc.font('Helvetica-Bold');
  doc.text(t.description, cols.desc, y, { width: 270 });
  doc.text(t.qty, cols.qty, y, { width: 35, align: 'right' });
  doc.text(t.unit, cols.unit, y, { width: 80, align: 'right' });
  doc.text(t.amount, cols.amount, y, { width: right - cols.amount, align: 'right' });
  y += 16;
  doc.moveTo(left, y).lineTo(right, y).strokeColor('#999999').stroke();
  y += 6;
  doc.font('Helvetica');
  for (const line of invoice.lines) {
    const description = lineText(line, opts.lang);
    const period = line.periodStart && line.periodEnd ? `${date(new Date(line.periodStart))} – ${date(new Date(line.periodEnd))}` : null;
    const text = period ? `${description}\n${period}` : description;
    const h = doc.heightOfString(text, { width: 270 });
    doc.text(text, cols.desc, y, { width: 270 });
    doc.text(String(line.quantity), cols.qty, y, { width: 35, align: 'right' });
    doc.text(money(line.unitAmount), cols.unit, y, { width: 80, align: 'right' });
    doc.text(money(line.amount), cols.amount, y, { width: right - cols.amount, align: 'right' });
    y += Math.max(h, 14) + 8;
  }
  doc.moveTo(left, y).lineTo(right, y).strokeColor('#999999').stroke();
  y += 10;

  const total = (label: string, value: string, bold = false) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 12 : 10);
    doc.text(label, 330, y, { width: 120, align: 'right' });
    doc.text(value, cols.amount, y, { width: right - cols.amount, align: 'right' });
    y += bold ? 20 : 15;
  };
  total(t.subtotal, money(invoice.subtotal));
  if (invoice.discount) total(t.discount, money(-invoice.discount));
  if (invoice.credit) total(t.credit, money(-invoice.credit));
  total(t.total, money(invoice.total), true);
  if (invoice.amountPaid) total(t.paidAmount, money(invoice.amountPaid));
  if (invoice.amountRefunded) total(t.refunded, money(-invoice.amountRefunded));

  y += 20;
  doc.font('Helvetica').fontSize(10);
  if (invoice.paidAt && invoice.status !== 'open' && invoice.status !== 'void') {
    doc.text(t.paidOn(date(invoice.paidAt), t.via[invoice.paidVia ?? ''] ?? invoice.paidVia ?? '—'), left, y);
  } else if (invoice.status === 'open') {
    const bank = opts.settings.bankTransfer;
    if (bank.enabled && bank.accountNumber) {
      doc.font('Helvetica-Bold').text(t.payBy, left, y);
      doc
        .font('Helvetica')
        .text(`${bank.bankName ?? ''} ${bank.accountNumber} (${bank.accountName ?? ''})\n${t.reference}: ${invoice.number}`, left, y + 14);
      y = doc.y + 8;
    }
    if (opts.settings.midtrans.enabled) doc.text(t.orPayOnline, left, y);
  }
  doc.end();
  return done;
}
