/** One language guess: ISO 639-3 code and a score in [0, 1] (higher is surer). */
export interface LangGuess {
  lang: string;
  score: number;
}

/**
 * A language-ID backend. `detect` returns guesses best first, or `[]` when it cannot tell.
 * `candidates`, when given, restricts the answer to those ISO 639-3 codes.
 */
export interface LidBackend {
  readonly name: string;
  detect(text: string, candidates?: readonly string[]): LangGuess[];
}
