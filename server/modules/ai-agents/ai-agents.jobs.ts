// Background work of the ai-agents module: answering customers (one durable job per conversation,
// in order), processing knowledge sources, embedding chunks, running evaluations.
import type { Services } from '../../core/context.js';
import type { EventHandler } from '../../core/events/outbox.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { conversationAiEvents, conversationAiJobs } from './conversation-ai.js';
import { evaluationJobs } from './evaluations.js';
import { knowledgeJobs } from './knowledge.js';

export function aiAgentsJobs(services: Services): Record<string, JobHandler> {
  return { ...conversationAiJobs(services), ...knowledgeJobs(services), ...evaluationJobs(services) };
}

export function aiAgentsEvents(services: Services): Record<string, EventHandler> {
  return conversationAiEvents(services);
}
