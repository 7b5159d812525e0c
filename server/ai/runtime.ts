// The agent runtime: the prompts, the handoff rules that need no model (keywords, a customer asking
// for a person, how upset they sound, too many turns, low retrieval confidence), one model call that
// either answers from the retrieved passages or calls the handoff tool (a question outside the
// knowledge, a request for a person the rules missed), conversation summaries for the people who
// take over, and reply suggestions for them. Knows no database: callers give it the agent, the
// history and the passages, and act on what it decides.
import type { ChatMessage, ChatTool, LlmClient, Usage } from './llm.js';
import type { Passage } from './retrieval.js';
import { asksForHuman, containsPhrase, detectLanguage, LANGUAGE_NAMES, sentiment, type Language } from './text.js';

export interface AgentProfile {
  name: string;
  businessName: string;
  instructions: string;
  /** 'auto': the customer's language (Indonesian when unsure). */
  language: 'auto' | Language;
  temperature: number;
  maxTokens: number;
  model?: string | null;
}

/** One message of the conversation as the model sees it. */
export interface Turn {
  role: 'customer' | 'business';
  text: string;
}

export const HANDOFF_TRIGGERS = ['keyword', 'sentiment', 'human_request', 'low_confidence', 'max_turns', 'out_of_scope'] as const;
export type HandoffTrigger = (typeof HANDOFF_TRIGGERS)[number];

export interface RuleSpec {
  id: string;
  type: HandoffTrigger;
  config: { keywords?: string[]; threshold?: number; turns?: number };
}

export interface RuleHit {
  rule: RuleSpec | null;
  trigger: HandoffTrigger;
  detail: string;
}

export const DEFAULT_CONFIDENCE = 0.3;
export const DEFAULT_SENTIMENT = -0.5;
export const DEFAULT_TURNS = 5;

/** The language to answer in: the agent's, or the customer's latest messages' (Indonesian first). */
export function replyLanguage(profile: Pick<AgentProfile, 'language'>, history: Turn[]): Language {
  if (profile.language !== 'auto') return profile.language;
  const recent = history
    .filter((t) => t.role === 'customer')
    .slice(-2)
    .map((t) => t.text)
    .join('\n');
  return detectLanguage(recent);
}

/** Rules checked on the customer's message before anything else (no model, no retrieval). */
export function checkMessageRules(rules: RuleSpec[], text: string, state: { turns: number }): RuleHit | null {
  for (const rule of rules) {
    switch (rule.type) {
      case 'human_request':
        if (asksForHuman(text)) return { rule, trigger: rule.type, detail: 'The customer asked to talk to a person' };
        break;
      case 'keyword': {
        const hit = (rule.config.keywords ?? []).find((k) => containsPhrase(text, k));
        if (hit) return { rule, trigger: rule.type, detail: `The message contains "${hit}"` };
        break;
      }
      case 'sentiment': {
        const score = sentiment(text);
        const threshold = rule.config.threshold ?? DEFAULT_SENTIMENT;
        if (score <= threshold)
          return { rule, trigger: rule.type, detail: `The customer sounds upset (sentiment ${score} ≤ ${threshold})` };
        break;
      }
      case 'max_turns': {
        const turns = rule.config.turns ?? DEFAULT_TURNS;
        if (state.turns >= turns)
          return { rule, trigger: rule.type, detail: `${state.turns} AI ${state.turns === 1 ? 'reply' : 'replies'} without resolution` };
        break;
      }
    }
  }
  return null;
}

/** The low-confidence rule, once the passages are known. */
export function checkRetrievalRules(rules: RuleSpec[], passages: Passage[]): RuleHit | null {
  const rule = rules.find((r) => r.type === 'low_confidence');
  if (!rule) return null;
  const threshold = rule.config.threshold ?? DEFAULT_CONFIDENCE;
  const best = passages.reduce((max, p) => Math.max(max, p.confidence), 0);
  if (best < threshold)
    return {
      rule,
      trigger: 'low_confidence',
      detail: passages.length ? `The knowledge matched weakly (confidence ${best} < ${threshold})` : 'Nothing in the knowledge matched',
    };
  return null;
}

export const HANDOFF_TOOL_NAME = 'handoff_to_human';

export const HANDOFF_TOOL: ChatTool = {
  type: 'function',
  function: {
    name: HANDOFF_TOOL_NAME,
    description:
      'Hand the conversation to a human colleague. Use it when the customer asks for a person, or when the KNOWLEDGE does not answer the question or it is outside what this business handles.',
    parameters: {
      type: 'object',
      properties: {
        reason: { type: 'string', enum: ['customer_request', 'out_of_scope'], description: 'Why a person should take over' },
        note: { type: 'string', description: 'One sentence for the colleague: what the customer needs' },
      },
      required: ['reason'],
    },
  },
};

function knowledgeBlock(passages: Passage[]): string {
  if (passages.length === 0) return 'KNOWLEDGE:\n(nothing relevant was found)\nEND OF KNOWLEDGE';
  const items = passages.map((p, i) => `[${i + 1}] ${p.title ? `${p.title}\n` : ''}${p.text}`);
  return `KNOWLEDGE:\n${items.join('\n\n')}\nEND OF KNOWLEDGE`;
}

/** The system prompt of an answer to the customer. */
export function answerSystemPrompt(
  profile: AgentProfile,
  passages: Passage[],
  language: Language,
  opts: { forHuman?: boolean } = {},
): string {
  const who = opts.forHuman
    ? `You draft replies for a human customer-service agent of ${profile.businessName}; the agent reviews and sends them.`
    : `You are ${profile.name}, the AI customer-service assistant of ${profile.businessName}, chatting with a customer.`;
  const rules = [
    'Answer only from the KNOWLEDGE below and the conversation. Never invent prices, stock, policies or promises.',
    'Quote prices, numbers and names exactly as the KNOWLEDGE writes them.',
    opts.forHuman
      ? 'If the KNOWLEDGE does not answer the question, draft a polite reply saying you will check and get back to the customer.'
      : `If the customer asks for a person, or the KNOWLEDGE does not answer the question, or it is outside what ${profile.businessName} handles, call the ${HANDOFF_TOOL_NAME} tool instead of answering.`,
    `Reply in ${LANGUAGE_NAMES[language]}, briefly and warmly, as plain text suitable for a chat message (no markdown headings).`,
  ];
  return [
    who,
    profile.instructions.trim() ? `Instructions from the business:\n${profile.instructions.trim()}` : '',
    `Rules:\n${rules.map((r) => `- ${r}`).join('\n')}`,
    knowledgeBlock(passages),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The conversation as chat messages: the customer's as user, the business's as assistant. */
export function conversationMessages(system: string, history: Turn[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: 'system', content: system }];
  for (const turn of history) {
    if (!turn.text.trim()) continue;
    messages.push(turn.role === 'customer' ? { role: 'user', content: turn.text } : { role: 'assistant', content: turn.text });
  }
  return messages;
}

export type AnswerDecision =
  | { kind: 'reply'; text: string; usage: Usage; prompt: ChatMessage[]; language: Language }
  | { kind: 'handoff'; trigger: 'human_request' | 'out_of_scope'; detail: string; usage: Usage; prompt: ChatMessage[]; language: Language };

/** One model call: an answer from the passages, or a handoff the model asked for. Throws LlmError. */
export async function generateAnswer(
  llm: LlmClient,
  input: { profile: AgentProfile; history: Turn[]; passages: Passage[] },
): Promise<AnswerDecision> {
  const language = replyLanguage(input.profile, input.history);
  const prompt = conversationMessages(answerSystemPrompt(input.profile, input.passages, language), input.history);
  const result = await llm.chat({
    messages: prompt,
    tools: [HANDOFF_TOOL],
    temperature: input.profile.temperature,
    maxTokens: input.profile.maxTokens,
    model: input.profile.model ?? undefined,
  });
  const call = result.toolCalls.find((c) => c.name === HANDOFF_TOOL_NAME);
  if (call) {
    const reason = call.arguments.reason === 'customer_request' ? 'human_request' : 'out_of_scope';
    const note = typeof call.arguments.note === 'string' ? call.arguments.note.slice(0, 500) : '';
    return {
      kind: 'handoff',
      trigger: reason,
      detail: note || (reason === 'human_request' ? 'The customer asked for a person' : 'The question is outside the knowledge'),
      usage: result.usage,
      prompt,
      language,
    };
  }
  if (!result.content)
    return { kind: 'handoff', trigger: 'out_of_scope', detail: 'The model gave no answer', usage: result.usage, prompt, language };
  return { kind: 'reply', text: result.content.slice(0, 4000), usage: result.usage, prompt, language };
}

/** A draft reply for a human agent (no handoff tool). Throws LlmError. */
export async function suggestReply(
  llm: LlmClient,
  input: { profile: AgentProfile; history: Turn[]; passages: Passage[] },
): Promise<{ text: string; usage: Usage; prompt: ChatMessage[]; language: Language }> {
  const language = replyLanguage(input.profile, input.history);
  const prompt = conversationMessages(answerSystemPrompt(input.profile, input.passages, language, { forHuman: true }), input.history);
  const result = await llm.chat({
    messages: prompt,
    temperature: input.profile.temperature,
    maxTokens: input.profile.maxTokens,
    model: input.profile.model ?? undefined,
  });
  return { text: result.content.slice(0, 4000), usage: result.usage, prompt, language };
}

const transcript = (history: Turn[]) =>
  history.map((t) => `${t.role === 'customer' ? 'Customer' : 'Business'}: ${t.text.replace(/\s+/g, ' ').slice(0, 500)}`).join('\n');

/** A JSON summary of the conversation for the colleague who takes over. Throws LlmError. */
export async function summarize(
  llm: LlmClient,
  input: { history: Turn[]; language: Language; model?: string | null },
): Promise<{ summary: string; usage: Usage }> {
  const system =
    `Summarize this customer-service conversation for the human agent who takes it over. ` +
    `Write in ${LANGUAGE_NAMES[input.language]}, at most 3 sentences: who the customer is if known, what they want, what was already answered, what is still open. ` +
    `Respond with a JSON object: {"summary": "..."}`;
  const result = await llm.chat({
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: `CONVERSATION:\n${transcript(input.history.slice(-30))}` },
    ],
    json: true,
    temperature: 0.2,
    maxTokens: 400,
    model: input.model ?? undefined,
  });
  let summary = result.content;
  try {
    const parsed = JSON.parse(result.content.replace(/^```(json)?|```$/g, '').trim());
    if (parsed && typeof parsed.summary === 'string') summary = parsed.summary;
  } catch {
    // A model that ignored the JSON instruction still wrote a summary.
  }
  return { summary: summary.trim().slice(0, 2000), usage: result.usage };
}

/** A summary without a model (it is unreachable): the customer's latest messages. */
export function fallbackSummary(history: Turn[], language: Language): string {
  const customer = history.filter((t) => t.role === 'customer').slice(-3);
  const lines = customer.map((t) => `• ${t.text.replace(/\s+/g, ' ').slice(0, 300)}`);
  const head = language === 'en' ? "The customer's latest messages:" : 'Pesan terakhir pelanggan:';
  return lines.length ? `${head}\n${lines.join('\n')}` : '';
}
