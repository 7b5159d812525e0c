// A fake OpenAI-compatible model server (the shape Ollama, llama.cpp's server, LM Studio, vLLM and
// OpenAI share), as a real HTTP server on 127.0.0.1: chat completions (plain answers, tool calls,
// JSON output), embeddings and the model list. Its answers depend on the prompt, so tests exercise
// retrieval for real: an answer is built from the passage in the system prompt's KNOWLEDGE block that
// best matches the customer's last message; with no matching passage it calls the handoff tool (or
// says it does not know). Summaries (JSON) quote the conversation. Embeddings are bag-of-words
// vectors with a few synonyms, so similar wording is near in vector space too. It records every
// request and can fail, hang or refuse connections on demand. No test ever calls a real model.
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface LlmRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface FakeLlm {
  /** e.g. http://127.0.0.1:41234/v1 — use as LLM_BASE_URL or the organization's baseUrl. */
  readonly url: string;
  readonly requests: LlmRequest[];
  chatRequests(): LlmRequest[];
  embeddingRequests(): LlmRequest[];
  /** The next `count` requests (matching `path` when given) answer `status` with an OpenAI-style error. */
  failNext(count: number, failure: { status: number; message?: string; path?: string }): void;
  /** Holds every following request for `ms`, or (true) until release(). */
  hang(duration: number | true): void;
  release(): void;
  /** Embeddings answer 404, like a chat-only endpoint. */
  disableEmbeddings(disabled?: boolean): void;
  /** Closes the listener and every open connection: connections are refused on the same port. */
  refuseConnections(): Promise<void>;
  acceptConnections(): Promise<void>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export const FAKE_CHAT_MODEL = 'fake-chat';
export const FAKE_EMBEDDING_MODEL = 'fake-embed';
const DIMS = 96;

const STOP = new Set(
  `yang dan di ke dari ini itu saya aku kami apa apakah berapa bagaimana gimana bisa tidak ya dong kak mau ingin tolong ada untuk dengan juga
  halo hai min sih deh kah nya the and is are what how much do does can you your my for of to a an in on please berapakah`.split(/\s+/),
);
// A few synonyms, so vector search finds what the words alone would miss.
const SYNONYMS: Record<string, string> = {
  ongkir: 'pengiriman',
  ongkos: 'pengiriman',
  kirim: 'pengiriman',
  shipping: 'pengiriman',
  delivery: 'pengiriman',
  price: 'harga',
  cost: 'harga',
  biaya: 'harga',
  open: 'buka',
  hours: 'jam',
  refund: 'pengembalian',
  retur: 'pengembalian',
};

export function fakeWords(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? []
  ).filter((w) => w.length >= 3 && !STOP.has(w));
}

/** The deterministic bag-of-words embedding (synonyms folded), normalized. */
export function fakeEmbedding(text: string, dims = DIMS): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const raw of fakeWords(text)) {
    const w = SYNONYMS[raw] ?? raw;
    const h = createHash('sha1').update(w).digest();
    v[h.readUInt16BE(0) % dims] += 1;
    v[h.readUInt16BE(2) % dims] += 0.5;
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

interface Passage {
  n: number;
  text: string;
}

function passagesOf(system: string): Passage[] {
  const block = /KNOWLEDGE:\n([\s\S]*?)\nEND OF KNOWLEDGE/.exec(system)?.[1] ?? '';
  return block
    .split(/\n\n(?=\[\d+\] )/)
    .map((p) => /^\[(\d+)\] ([\s\S]*)$/.exec(p.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), text: m[2] }));
}

function bestPassage(passages: Passage[], question: string): Passage | null {
  const q = new Set(fakeWords(question).map((w) => SYNONYMS[w] ?? w));
  let best: Passage | null = null;
  let bestScore = 0;
  for (const p of passages) {
    const words = new Set(fakeWords(p.text).map((w) => SYNONYMS[w] ?? w));
    let score = 0;
    for (const w of q)
      if (words.has(w) || [...words].some((x) => x.length >= 4 && w.length >= 4 && (x.startsWith(w) || w.startsWith(x)))) score++;
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  return best;
}

/** What the passage says, as an answer: a QnA's answer, a product's name, price and stock, else the text itself. */
function answerFrom(passage: Passage): string {
  const lines = passage.text.split('\n');
  const a = lines.find((l) => l.startsWith('A: '));
  if (a) return a.slice(3).trim();
  const product = lines.find((l) => l.startsWith('Produk: '));
  if (product) {
    const price = lines.find((l) => l.startsWith('Harga: '));
    const stock = lines.find((l) => l.startsWith('Stok: '));
    const parts = [`${product.slice(8)} harganya ${price?.slice(7) ?? '?'}`, stock ? stock.toLowerCase() : ''];
    return `${parts.filter(Boolean).join(', ')}.`;
  }
  return lines
    .filter((l) => l.trim())
    .slice(-3)
    .join(' ')
    .slice(0, 500);
}

const tokens = (text: string) => Math.ceil(text.length / 4);

function chatAnswer(body: any): { content: string | null; toolCall?: { name: string; arguments: string } } {
  const messages: { role: string; content: string }[] = body.messages ?? [];
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  if (body.response_format?.type === 'json_object') {
    const convo = messages.find((m) => m.role === 'user')?.content ?? '';
    const customer = convo
      .split('\n')
      .filter((l) => l.startsWith('Customer: '))
      .map((l) => l.slice(10));
    const english = /Write in English/.test(system);
    const summary = english
      ? `The customer wrote ${customer.length} message(s); latest: "${customer.at(-1) ?? ''}".`
      : `Pelanggan menulis ${customer.length} pesan; terakhir: "${customer.at(-1) ?? ''}".`;
    return { content: JSON.stringify({ summary }) };
  }
  const last = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const passage = bestPassage(passagesOf(system), last);
  const english = /Reply in English/.test(system);
  const canHandOff = (body.tools ?? []).some((t: any) => t.function?.name === 'handoff_to_human');
  if (!passage) {
    if (canHandOff)
      return {
        content: null,
        toolCall: {
          name: 'handoff_to_human',
          arguments: JSON.stringify({ reason: 'out_of_scope', note: `Not in the knowledge: ${last.slice(0, 100)}` }),
        },
      };
    return { content: english ? "Sorry, I don't have that information yet." : 'Maaf, saya belum punya informasi itu.' };
  }
  return { content: `${english ? 'According to our information: ' : 'Menurut info kami: '}${answerFrom(passage)}` };
}

/** `dims`: the embedding size (96 by default; real embedding models have 384–1,536). */
export async function startFakeLlm(options: { dims?: number } = {}): Promise<FakeLlm> {
  const dims = options.dims ?? DIMS;
  const requests: LlmRequest[] = [];
  const failures: { status: number; message?: string; path?: string; remaining: number }[] = [];
  const sockets = new Set<Socket>();
  let hangFor: number | true | undefined;
  let held: { answer: () => void; res: ServerResponse }[] = [];
  let listening = false;
  let embeddingsDisabled = false;
  let port = 0;
  let counter = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function send(res: ServerResponse, status: number, body: unknown) {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer) {
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      body = undefined;
    }
    const path = new URL(req.url ?? '/', 'http://fake-llm').pathname;
    const recorded: LlmRequest = { method: req.method ?? 'GET', path, headers: req.headers, body };
    requests.push(recorded);
    const answer = () => respond(recorded, res);
    if (hangFor === true) held.push({ answer, res });
    else if (typeof hangFor === 'number') {
      const timer = setTimeout(answer, hangFor);
      res.on('close', () => clearTimeout(timer));
    } else answer();
  }

  function respond(req: LlmRequest, res: ServerResponse) {
    const failure = failures.find((f) => f.remaining > 0 && (!f.path || req.path.includes(f.path)));
    if (failure) {
      failure.remaining--;
      return send(res, failure.status, {
        error: { message: failure.message ?? `fake failure ${failure.status}`, type: 'server_error', code: null },
      });
    }
    if (req.method === 'GET' && req.path === '/v1/models')
      return send(res, 200, {
        object: 'list',
        data: [FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL].map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake' })),
      });
    if (req.method === 'POST' && req.path === '/v1/embeddings') {
      if (embeddingsDisabled)
        return send(res, 404, { error: { message: 'embeddings are not supported by this server', type: 'not_found' } });
      const input: string[] = Array.isArray(req.body?.input) ? req.body.input : [String(req.body?.input ?? '')];
      return send(res, 200, {
        object: 'list',
        model: req.body?.model,
        data: input.map((text, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(text, dims) })),
        usage: { prompt_tokens: tokens(input.join(' ')), total_tokens: tokens(input.join(' ')) },
      });
    }
    if (req.method === 'POST' && req.path === '/v1/chat/completions') {
      if (!req.body?.model || !Array.isArray(req.body?.messages))
        return send(res, 400, { error: { message: 'model and messages are required', type: 'invalid_request_error' } });
      const { content, toolCall } = chatAnswer(req.body);
      const promptTokens = tokens((req.body.messages as { content?: string }[]).map((m) => m.content ?? '').join('\n'));
      return send(res, 200, {
        id: `chatcmpl-fake-${++counter}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: req.body.model,
        choices: [
          {
            index: 0,
            finish_reason: toolCall ? 'tool_calls' : 'stop',
            message: {
              role: 'assistant',
              content,
              ...(toolCall ? { tool_calls: [{ id: `call_${counter}`, type: 'function', function: toolCall }] } : {}),
            },
          },
        ],
        usage: { prompt_tokens: promptTokens, completion_tokens: tokens(content ?? toolCall?.arguments ?? ''), total_tokens: 0 },
      });
    }
    send(res, 404, { error: { message: `no route ${req.method} ${req.path}`, type: 'not_found' } });
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        const address = server.address();
        if (address && typeof address === 'object') port = address.port;
        listening = true;
        resolve();
      });
    });
  const dropHeld = () => {
    for (const { res } of held) res.destroy();
    held = [];
  };
  const close = () =>
    new Promise<void>((resolve) => {
      if (!listening) return resolve();
      listening = false;
      server.close(() => resolve());
      dropHeld();
      for (const socket of sockets) socket.destroy();
    });

  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}/v1`;
    },
    requests,
    chatRequests: () => requests.filter((r) => r.path === '/v1/chat/completions'),
    embeddingRequests: () => requests.filter((r) => r.path === '/v1/embeddings'),
    failNext(count, failure) {
      if (count > 0) failures.push({ ...failure, remaining: count });
    },
    hang(duration) {
      hangFor = duration;
    },
    release() {
      hangFor = undefined;
      const waiting = held;
      held = [];
      for (const { answer } of waiting) answer();
    },
    disableEmbeddings(disabled = true) {
      embeddingsDisabled = disabled;
    },
    async refuseConnections() {
      await close();
      for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    },
    acceptConnections: () => (listening ? Promise.resolve() : listen()),
    async reset() {
      requests.length = 0;
      failures.length = 0;
      hangFor = undefined;
      embeddingsDisabled = false;
      dropHeld();
      if (!listening) await listen();
    },
    stop: close,
  };
}
