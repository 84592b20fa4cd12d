/**
 * The model interface ML engineers know from lm-evaluation-harness. Log-probabilities are
 * natural logs; `greedy` says whether the continuation is the model's argmax at every step.
 */
export interface LoglikelihoodRequest {
  context: string;
  continuation: string;
}

export interface GenerateRequest {
  context: string;
  until: string[];
  maxTokens: number;
}

export interface Model {
  /** Stable id for the request cache (spec + model fingerprint). */
  readonly id: string;
  /**
   * False when the model gives no log-probabilities of a prompt (chat APIs, llama.cpp's server,
   * Ollama): choice tasks then run in their generation-based form (forced choice in a prompt).
   */
  readonly promptLogprobs?: boolean;
  loglikelihood(reqs: LoglikelihoodRequest[]): Promise<Array<{ logprob: number; greedy: boolean }>>;
  loglikelihoodRolling(texts: string[]): Promise<number[]>;
  generate(reqs: GenerateRequest[]): Promise<string[]>;
  close?(): Promise<void>;
}
