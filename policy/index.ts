import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// What the project promises of every stack, checked on the objects a preview or an update would create:
// `pulumi preview --policy-pack policy`. See README.md, "Policy pack".
new PolicyPack("pg-ha", { enforcementLevel: "mandatory", policies });
