import type { Policies } from "@pulumi/policy";
import { disruptionBudgetPolicy } from "./rules/disruptionBudget";
import { networkPolicyPolicy } from "./rules/networkPolicy";
import { pinnedImagesPolicy } from "./rules/pinnedImages";
import { podSecurityPolicy } from "./rules/podSecurity";
import { retainedVolumesPolicy } from "./rules/retainedVolumes";
import { secretValuesPolicy } from "./rules/secretValues";

/** The pack's rules, apart from the pack itself: constructing a PolicyPack starts serving it to the engine. */
export const policies: Policies = [
    podSecurityPolicy,
    secretValuesPolicy,
    retainedVolumesPolicy,
    networkPolicyPolicy,
    disruptionBudgetPolicy,
    pinnedImagesPolicy,
];
