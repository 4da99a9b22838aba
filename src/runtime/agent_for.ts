/**
 * The agent a training configuration asks for, built for an environment's spaces.
 *
 * @module
 */
import type { Agent } from "../core/agents/agent.ts";
import { makeSac } from "../core/agents/sac.ts";
import { makeSacV } from "../core/agents/sac_v.ts";
import { makeTd3 } from "../core/agents/td3.ts";
import type { TrainConfig } from "../config/train_config.ts";
import type { EnvSpec } from "../envs/env.ts";

/**
 * The agent a training configuration asks for, sized for an environment.
 *
 * @param config the run configuration
 * @param env the environment
 * @returns the agent
 */
export function agentFor(config: TrainConfig, env: EnvSpec): Agent<unknown> {
  const sizes = {
    observationSize: env.observationSize,
    actionSize: env.actionSize,
    bounds: { low: env.actionLow, high: env.actionHigh },
  };
  const common = {
    ...sizes,
    hidden: config.hidden,
    actorLr: config.actorLr,
    criticLr: config.criticLr,
    gamma: config.gamma,
    tau: config.tau,
  };
  switch (config.algo) {
    case "td3":
      return makeTd3({
        ...common,
        policyNoise: config.policyNoise,
        noiseClip: config.noiseClip,
        policyDelay: config.policyDelay,
        explorationNoise: config.explorationNoise,
      }) as Agent<unknown>;
    case "sac":
      return makeSac({
        ...common,
        init: config.init,
        alpha: config.alpha,
        alphaLr: config.alphaLr,
        targetEntropy: -env.actionSize,
      }) as Agent<unknown>;
    case "sac-v":
      return makeSacV({
        ...common,
        init: config.init,
        alpha: config.alpha,
        valueLr: config.valueLr,
        policyReg: config.policyReg,
      }) as Agent<unknown>;
  }
}
