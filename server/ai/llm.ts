// The one model client: any OpenAI-compatible endpoint (Ollama, llama.cpp's server, LM Studio,
// vLLM, OpenAI and other cloud providers) through the official `openai` package with a base URL.
// Every request goes through the SSRF guard (the caller passes services.outbound.fetchFunction()),
// is capped in time, and is not retried here: a caller that must not lose work retries as a job, and
// an automated reply that cannot reach the model hands the conversation to people instead.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { estimateTokens } from './text.js';

export interface LlmEndpoint {
  /** e.g. http://192.168.1.20:11434/v1 (Ollama), http://127.0.0.1:8080/v1 (llama.cpp), https://api.openai.com/v1 */
  baseUrl: string;
  apiKey: string | null;
  model: string;
  /** Null: the endpoint is used for chat only and retrieval is full-text alone. */
  embeddingModel: string | null;
  timeoutMs: number;
}

export type LlmFailure = 'not_configured' | 'refused' | 'unreachable' | 'timeout' | 'http' | 'bad_response';

/** A model request that did not produce an answer; `kind` says why in a word. */
export class LlmError extends Error {
  constructor(
    readonly kind: LlmFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface Usage {
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  model: string;
}

export type ChatMessage = ChatCompletionMessageParam;
export type ChatTool = ChatCompletionTool;

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ChatTool[];
  /** Ask for a JSON object (response_format json_object). */
  json?: boolean;
  temperature?: number;
  maxTokens?: number;
  model?: string;
}

export interface ChatResult {
  content: string;
  toolCalls: { name: string; arguments: Record<string, unknown> }[];
  usage: Usage;
}

function toLlmError(err: unknown, timeoutMs: number): LlmError {
  if (err instanceof LlmError) return err;
  const cause = (err as { cause?: { name?: string; reason?: string; message?: string } })?.cause;
  // The guard refused the address (private network not allowed) or the scheme.
  if (cause?.name === 'OutboundError') {
    if (cause.reason === 'timeout') return new LlmError('timeout', `The model did not answer within ${Math.round(timeoutMs / 1000)} s`);
    if (cause.reason === 'address' || cause.reason === 'scheme')
      return new LlmError(
        'refused',
        `${cause.message}. Allow a model server on your network with OUTBOUND_ALLOWED_HOSTS (e.g. 192.168.1.20 or 192.168.1.0/24).`,
      );
    return new LlmError('unreachable', `The model endpoint could not be reached: ${cause.message}`);
  }
  if (err instanceof APIConnectionTimeoutError)
    return new LlmError('timeout', `The model did not answer within ${Math.round(timeoutMs / 1000)} s`);
  if (err instanceof APIConnectionError) return new LlmError('unreachable', `The model endpoint could not be reached: ${err.message}`);
  if (err instanceof APIError) {
    const detail = (err.error as { message?: string } | undefined)?.message ?? err.message;
    return new LlmError('http', `The model endpoint answered ${err.status ?? 'an error'}: ${String(detail).slice(0, 300)}`, err.status);
  }
  const name = (err as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError')
    return new LlmError('timeout', `The model did not answer within ${Math.round(timeoutMs / 1000)} s`);
  return new LlmError('bad_response', `The model's answer could not be used: ${(err as Error)?.message ?? String(err)}`);
}

export class LlmClient {
  private readonly client: OpenAI;

  constructor(
    readonly endpoint: LlmEndpoint,
    fetchFn: typeof fetch,
  ) {
    this.client = new OpenAI({
      baseURL: endpoint.baseUrl.replace(/\/+$/, ''),
      // Local servers (Ollama, llama.cpp) need no key; the client insists on one.
      apiKey: endpoint.apiKey || 'no-key',
      fetch: fetchFn,
      timeout: endpoint.timeoutMs,
      maxRetries: 0,
    });
  }

  async chat(req: ChatRequest): Promise<ChatResult> {
    const started = performance.now();
    const model = req.model || this.endpoint.model;
    try {
      const completion = await this.client.chat.completions.create({
        model,
        messages: req.messages,
        ...(req.tools?.length ? { tools: req.tools, tool_choice: 'auto' as const } : {}),
        ...(req.json ? { response_format: { type: 'json_object' as const } } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.maxTokens ? { max_tokens: req.maxTokens } : {}),
      });
      const choice = completion?.choices?.[0];
      if (!choice?.message) throw new LlmError('bad_response', 'The model answered without a message');
      const toolCalls = (choice.message.tool_calls ?? []).flatMap((call) => {
        if (call.type !== 'function') return [];
        let args: Record<string, unknown> = {};
        try {
          args = JSON.parse(call.function.arguments || '{}');
        } catch {
          args = {};
        }
        return [{ name: call.function.name, arguments: args }];
      });
      const content = (choice.message.content ?? '').trim();
      const promptText = req.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
      return {
        content,
        toolCalls,
        usage: {
          tokensIn: completion.usage?.prompt_tokens ?? estimateTokens(promptText),
          tokensOut: completion.usage?.completion_tokens ?? estimateTokens(content),
          latencyMs: Math.round(performance.now() - started),
          model,
        },
      };
    } catch (err) {
      throw toLlmError(err, this.endpoint.timeoutMs);
    }
  }

  /** One vector per text, in order. */
  async embed(texts: string[]): Promise<{ vectors: number[][]; usage: Usage }> {
    const model = this.endpoint.embeddingModel;
    if (!model) throw new LlmError('not_configured', 'No embedding model is configured');
    const started = performance.now();
    try {
      const res = await this.client.embeddings.create({ model, input: texts, encoding_format: 'float' });
      const data = [...(res?.data ?? [])].sort((a, b) => a.index - b.index);
      if (data.length !== texts.length || data.some((d) => !Array.isArray(d.embedding) || d.embedding.length === 0))
        throw new LlmError('bad_response', `The embedding endpoint answered ${data.length} vectors for ${texts.length} texts`);
      return {
        vectors: data.map((d) => d.embedding as number[]),
        usage: {
          tokensIn: res.usage?.prompt_tokens ?? estimateTokens(texts.join(' ')),
          tokensOut: 0,
          latencyMs: Math.round(performance.now() - started),
          model,
        },
      };
    } catch (err) {
      throw toLlmError(err, this.endpoint.timeoutMs);
    }
  }

  /** The models the endpoint lists (for the settings page's connection test). */
  async models(): Promise<string[]> {
    try {
      const page = await this.client.models.list();
      return page.data.map((m) => m.id);
    } catch (err) {
      throw toLlmError(err, this.endpoint.timeoutMs);
    }
  }
}
