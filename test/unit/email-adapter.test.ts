import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmailAdapter, smtpError } from '../../server/channels/email/email.adapter.js';
import {
  bracketId,
  emailToInbound,
  messageIds,
  normalizeSubject,
  parseEmailJson,
  parseMime,
  replySubject,
  threadReferences,
} from '../../server/channels/email/email.parse.js';
import { ChannelSendError, type AccountCredentials, type OutboundMessage } from '../../server/channels/types.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { emlFixture, rawFixture } from '../support/meta-channels.js';
import { testOutbound } from '../support/outbound.js';

async function sendError(promise: Promise<unknown>): Promise<ChannelSendError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ChannelSendError, `expected a ChannelSendError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

describe('inbound email parsing', () => {
  it('reads the .eml fixture: addresses, subject, threading headers, text, sanitised HTML and the attachment', async () => {
    const email = await parseMime(rawFixture('email-reply-with-attachment.eml'));
    assert.deepEqual(email.from, { address: 'andi@customer.example', name: 'Andi Wijaya' });
    assert.deepEqual(email.to, ['cs@toko.example']);
    assert.equal(email.subject, 'Re: Pesanan #1042 belum sampai');
    assert.equal(email.messageId, '<CAF1042-second@mail.customer.example>');
    assert.equal(email.inReplyTo, '<reply-1042@toko.example>');
    assert.deepEqual(email.references, ['<CAF1042-first@mail.customer.example>', '<reply-1042@toko.example>']);
    assert.equal(email.text, 'Terima kasih, tapi paketnya masih belum sampai. Ini foto resinya.');
    assert.equal(email.html, '<p>Terima kasih, tapi paketnya <b>masih belum sampai</b>. Ini foto resinya.</p>');
    assert.deepEqual(email.date, new Date('2024-11-24T02:15:00Z'));
    assert.equal(email.attachments.length, 1);
    assert.deepEqual([email.attachments[0].filename, email.attachments[0].contentType], ['resi.png', 'image/png']);
    assert.equal(email.attachments[0].content.subarray(1, 4).toString(), 'PNG');
    assert.equal(email.autoSubmitted, false);
  });

  it('turns a parsed email into an inbound message that threads by In-Reply-To, then References from the newest', async () => {
    const email = await parseMime(rawFixture('email-reply-with-attachment.eml'));
    const stored = [{ mediaId: 'media-1', filename: 'resi.png', mimeType: 'image/png', size: 70 }];
    const received = new Date('2024-11-24T02:16:00Z');
    const inbound = emailToInbound(email, stored, received);
    assert.equal(inbound.externalId, '<CAF1042-second@mail.customer.example>');
    assert.equal(inbound.from, 'andi@customer.example');
    assert.equal(inbound.profileName, 'Andi Wijaya');
    assert.equal(inbound.type, 'text');
    assert.deepEqual(inbound.timestamp, new Date('2024-11-24T02:15:00Z'));
    assert.deepEqual(inbound.thread, {
      references: ['<reply-1042@toko.example>', '<CAF1042-first@mail.customer.example>'],
      subject: 'Re: Pesanan #1042 belum sampai',
    });
    assert.equal(inbound.content.media?.mediaId, 'media-1');
    assert.deepEqual(inbound.content.email?.attachments, stored);
    // A date in the future (a wrong clock) is not trusted.
    const future = emailToInbound({ ...email, date: new Date(received.getTime() + 3600_000) }, [], received);
    assert.deepEqual(future.timestamp, received);
    // No text but a file: the message takes the file's type.
    assert.equal(emailToInbound({ ...email, text: null }, stored, received).type, 'image');
  });

  it('reads the documented JSON shape; strips scripts, handlers and frames from HTML', async () => {
    const email = await parseEmailJson({
      from: '"Rina S." <Rina@Customer.Example>',
      to: ['cs@toko.example', 'Sales <sales@toko.example>'],
      subject: 'Tanya',
      text: 'Halo',
      html: '<p onclick="x()">Halo <a href="javascript:alert(1)">x</a> <a href="https://toko.example">toko</a></p><script>alert(1)</script><iframe src="https://evil.example"></iframe><img src="http://tracker.example/p.gif">',
      messageId: 'abc@customer.example',
      inReplyTo: '<reply@toko.example>',
      references: '<a@x> <b@y>',
      attachments: [{ filename: 'a.txt', contentType: 'text/plain', contentBase64: Buffer.from('isi').toString('base64') }],
    });
    assert.deepEqual(email.from, { address: 'rina@customer.example', name: 'Rina S.' });
    assert.deepEqual(email.to, ['cs@toko.example', 'sales@toko.example']);
    assert.equal(email.messageId, '<abc@customer.example>');
    assert.deepEqual(email.references, ['<a@x>', '<b@y>']);
    assert.equal(
      email.html,
      '<p>Halo <a target="_blank" rel="noopener noreferrer nofollow">x</a> <a href="https://toko.example" target="_blank" rel="noopener noreferrer nofollow">toko</a></p><img />',
    );
    assert.equal(email.attachments[0].content.toString(), 'isi');
    await assert.rejects(parseEmailJson({ from: 'nobody' }), /no From address/);
  });

  it('gives a mail without a Message-ID a stable one, so a redelivery is still recognised', async () => {
    const eml = emlFixture({ messageId: undefined }).replace(/^Message-ID: .*\r?\n/m, '');
    const first = await parseMime(Buffer.from(eml));
    const again = await parseMime(Buffer.from(eml));
    assert.match(first.messageId, /^<[0-9a-f]{40}@omnistream\.invalid>$/);
    assert.equal(first.messageId, again.messageId);
  });

  it('normalises subjects and Message-IDs', () => {
    assert.equal(normalizeSubject('RE: Re[2]: Fwd:  Pesanan  #1042 '), 'pesanan #1042');
    assert.equal(normalizeSubject('Balas: Pesanan'), 'pesanan');
    assert.equal(replySubject('Pesanan #1042'), 'Re: Pesanan #1042');
    assert.equal(replySubject('Re: Pesanan #1042'), 'Re: Pesanan #1042');
    assert.equal(replySubject('RE[3]: Pesanan'), 'Re: Pesanan');
    assert.equal(replySubject(''), 'Re: (no subject)');
    assert.equal(bracketId(' abc@x '), '<abc@x>');
    assert.equal(bracketId('<abc@x>'), '<abc@x>');
    assert.deepEqual(messageIds('<a@x>\r\n <b@y>,<a@x>'), ['<a@x>', '<b@y>']);
    assert.deepEqual(threadReferences({ inReplyTo: '<c@z>', references: ['<a@x>', '<b@y>', '<c@z>'] }), ['<c@z>', '<b@y>', '<a@x>']);
  });

  it('authenticates the webhook by the inbound secret, in constant time', () => {
    const adapter = new EmailAdapter({ outbound: testOutbound });
    assert.equal(adapter.verifySignature(Buffer.alloc(0), 'the-inbound-secret-123', 'the-inbound-secret-123'), true);
    assert.equal(adapter.verifySignature(Buffer.alloc(0), 'the-inbound-secret-124', 'the-inbound-secret-123'), false);
    assert.equal(adapter.verifySignature(Buffer.alloc(0), undefined, 'the-inbound-secret-123'), false);
    assert.equal(adapter.verifySignature(Buffer.alloc(0), '', ''), false);
    assert.deepEqual(adapter.parseWebhook(), []);
  });
});

describe('email replies over SMTP (against a real local SMTP server)', () => {
  let smtp: FakeSmtp;
  let account: AccountCredentials;
  const reply = (extra: Partial<OutboundMessage> = {}): OutboundMessage => ({
    to: 'andi@customer.example',
    type: 'text',
    text: 'Sudah kami kirim ulang.',
    content: {
      email: {
        subject: 'Re: Pesanan #1042 belum sampai',
        messageId: '<omnistream.0001@toko.example>',
        from: '"CS Toko" <cs@toko.example>',
        inReplyTo: '<CAF1042-second@mail.customer.example>',
        references: ['<CAF1042-first@mail.customer.example>', '<CAF1042-second@mail.customer.example>'],
        to: ['andi@customer.example'],
      },
    },
    ...extra,
  });

  before(async () => {
    smtp = await startFakeSmtp();
    account = { channel: 'email', externalId: 'cs@toko.example', config: { smtpUrl: smtp.url } };
  });
  beforeEach(() => smtp.reset());
  after(() => smtp.stop());

  it('sends with the subject and the headers a mail client threads by; the Message-ID is the external id', async () => {
    const adapter = new EmailAdapter({ outbound: testOutbound });
    const { externalId } = await adapter.send(account, reply());
    assert.equal(externalId, '<omnistream.0001@toko.example>');
    const [mail] = smtp.messages;
    assert.deepEqual(mail.envelope, { from: 'cs@toko.example', to: ['andi@customer.example'] });
    assert.equal(mail.header('Subject'), 'Re: Pesanan #1042 belum sampai');
    assert.equal(mail.header('Message-ID'), '<omnistream.0001@toko.example>');
    assert.equal(mail.header('In-Reply-To'), '<CAF1042-second@mail.customer.example>');
    assert.equal(mail.header('References'), '<CAF1042-first@mail.customer.example> <CAF1042-second@mail.customer.example>');
    assert.deepEqual(mail.parsed.from?.value, [{ address: 'cs@toko.example', name: 'CS Toko' }]);
    assert.equal(mail.parsed.text?.trim(), 'Sudah kami kirim ulang.');
  });

  it('attaches a file the send job hands over', async () => {
    await new EmailAdapter({ outbound: testOutbound }).send(
      account,
      reply({
        type: 'document',
        text: 'Ini invoicenya',
        file: { data: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', filename: 'invoice.pdf' },
      }),
    );
    const [attachment] = smtp.messages[0].parsed.attachments;
    assert.deepEqual(
      [attachment.filename, attachment.contentType, attachment.content.toString()],
      ['invoice.pdf', 'application/pdf', '%PDF-1.4'],
    );
  });

  it('uses SMTP_URL when the account has none, and fails clearly when there is neither', async () => {
    await new EmailAdapter({ smtpUrl: smtp.url }).send({ ...account, config: {} }, reply());
    assert.equal(smtp.messages.length, 1);
    const none = await sendError(new EmailAdapter({ outbound: testOutbound }).send({ ...account, config: {} }, reply()));
    assert.equal(none.retryable, false);
    assert.match(none.reason, /No SMTP server is configured/);
  });

  it('retries what the server defers (4xx) or cannot be reached, but not what it refuses (5xx)', async () => {
    const adapter = new EmailAdapter({ connectionTimeoutMs: 1000, outbound: testOutbound });
    smtp.failNext(1, { code: 451, message: 'Greylisted, try again later' });
    const deferred = await sendError(adapter.send(account, reply()));
    assert.deepEqual([deferred.retryable, deferred.code], [true, 451]);
    assert.equal(deferred.notSent, true, 'a 4xx reply proves the server did not take it');
    smtp.failNext(1, { code: 550, message: 'No such user' });
    const refused = await sendError(adapter.send(account, reply()));
    assert.deepEqual([refused.retryable, refused.code], [false, 550]);
    assert.match(refused.reason, /refused the message.*No such user/);
    await smtp.refuseConnections();
    const down = await sendError(adapter.send(account, reply()));
    assert.equal(down.retryable, true);
    assert.match(down.reason, /Could not reach the mail server/);
    assert.equal(down.notSent, true, 'a refused connection proves nothing was sent: resending cannot duplicate it');
    await smtp.acceptConnections();
    await adapter.send(account, reply());
    assert.equal(smtp.messages.length, 1, 'works again on the same port');
  });

  it('maps login failures as permanent and unknown failures as temporary', () => {
    assert.equal(smtpError({ code: 'EAUTH', responseCode: 535, response: '535 Authentication failed' }).retryable, false);
    assert.equal(smtpError({ code: 'ETIMEDOUT' }).retryable, true);
    // A timeout or a cut connection mid-session: the server may have the message.
    assert.equal(smtpError({ code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT' }).notSent, false);
    assert.equal(smtpError({ code: 'ETIMEDOUT', timeoutType: 'CONNECT_TIMEOUT' }).notSent, true);
    assert.equal(smtpError(new Error('weird')).retryable, true);
  });

  it('needs a recipient and something to say', async () => {
    const adapter = new EmailAdapter({ outbound: testOutbound });
    assert.match((await sendError(adapter.send(account, reply({ to: 'not-an-address', content: {} })))).reason, /no email address/);
    assert.match((await sendError(adapter.send(account, reply({ text: '  ' })))).reason, /needs some text/);
    assert.equal(smtp.messages.length, 0);
  });
});
