/** The session's report and progress types are the contract's (electron/contract/coding-session.ts). */
export type { GateId, GateResult, SessionProgress, SessionReport, StepReport, StepVerdict } from '../../contract/coding-session';
