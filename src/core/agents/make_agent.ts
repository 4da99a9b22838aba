/**
 * One agent from a tagged choice of algorithm and hyperparameters, sized for an environment's spaces. A
 * training configuration is such a choice (it has these fields and more), so the runtime builds its agent
 * with `makeAgent(config, env)`; only the fields an algorithm reads are passed on.
 *
 * @module
 */
import type { Agent, AgentSizes } from "./agent.ts";
import { makeSac, type SacConfig } from "./sac.ts";
import { makeSacV, type SacVConfig } from "./sac_v.ts";
import { makeTd3, type Td3Config } from "./td3.ts";

/** The fields of an agent config that the environment fixes (sizes and bounds), not the user. */
export type SpaceFields = Exclude<keyof AgentSizes, "hidden">;

/** An algorithm and its hyperparameters, tagged by `algo` (SAC's target entropy follows from the spaces). */
export type AgentChoice =
  | ({ readonly algo: "td3" } & Omit<Td3Config, SpaceFields>)
  | ({ readonly algo: "sac" } & Omit<SacConfig, SpaceFields | "targetEntropy">)
  | ({ readonly algo: "sac-v" } & Omit<SacVConfig, SpaceFields>);

/** The spaces an agent is sized for: box observations and actions (every `EnvSpec` is one). */
export interface AgentSpaces {
  /** Observation length. */
  readonly observationSize: number;
  /** Action length. */
  readonly actionSize: number;
  /** Lower action bounds. */
  readonly actionLow: readonly number[];
  /** Upper action bounds. */
  readonly actionHigh: readonly number[];
}

/**
 * The agent a choice asks for, sized for the spaces; SAC's target entropy is −|A|.
 *
 * @param choice the algorithm and its hyperparameters (a `TrainConfig` qualifies)
 * @param spaces the environment's spaces
 * @returns the agent
 */
export function makeAgent(choice: AgentChoice, spaces: AgentSpaces): Agent<unknown> {
  const common = {
    observationSize: spaces.observationSize,
    actionSize: spaces.actionSize,
    bounds: { low: spaces.actionLow, high: spaces.actionHigh },
    hidden: choice.hidden,
    actorLr: choice.actorLr,
    criticLr: choice.criticLr,
    gamma: choice.gamma,
    tau: choice.tau,
  };
  switch (choice.algo) {
    case "td3":
      return makeTd3({
        ...common,
        policyNoise: choice.policyNoise,
        noiseClip: choice.noiseClip,
        policyDelay: choice.policyDelay,
      }) as Agent<unknown>;
    case "sac":
      return makeSac({
        ...common,
        init: choice.init,
        alpha: choice.alpha,
        alphaLr: choice.alphaLr,
        targetEntropy: -spaces.actionSize,
      }) as Agent<unknown>;
    case "sac-v":
      return makeSacV({
        ...common,
        init: choice.init,
        alpha: choice.alpha,
        valueLr: choice.valueLr,
        policyReg: choice.policyReg,
      }) as Agent<unknown>;
  }
}
