import type { CommandApprovalDecision } from '../protocol/server-requests.js';
import type { ExecChoice } from './choices.js';

/** The decision sent, and whether it is the one asked for. */
export interface ResolvedDecision {
  decision: CommandApprovalDecision;
  /** A short name of what was sent, e.g. `decline`. */
  label: ExecChoice;
  /** Set when the chosen decision was not offered: what was asked for instead. */
  fellBackFrom?: ExecChoice;
}

/** What the request offers and proposes, as far as the choice depends on it. */
export interface ExecOffer {
  /** `availableDecisions`; null or missing: the server did not say, so anything goes. */
  availableDecisions?: ReadonlyArray<string | Record<string, unknown>> | null;
  proposedExecpolicyAmendment?: readonly string[] | null;
}

const AMENDMENT = 'acceptWithExecpolicyAmendment';

function offers(offer: ExecOffer, choice: ExecChoice): boolean {
  const offered = offer.availableDecisions;
  if (offered === undefined || offered === null) return true;
  return offered.some((entry) => (typeof entry === 'string' ? entry === choice : choice in entry));
}

/** The amendment to accept: the request's proposal, or else the one inside the offered decision. */
function amendmentOf(offer: ExecOffer): string[] | undefined {
  if (offer.proposedExecpolicyAmendment) return [...offer.proposedExecpolicyAmendment];
  for (const entry of offer.availableDecisions ?? []) {
    if (typeof entry === 'string' || !(AMENDMENT in entry)) continue;
    const inner = (entry[AMENDMENT] as { execpolicy_amendment?: unknown } | undefined)?.execpolicy_amendment;
    if (Array.isArray(inner) && inner.every((part) => typeof part === 'string')) return inner as string[];
  }
  return undefined;
}

function plain(label: ExecChoice, fellBackFrom?: ExecChoice): ResolvedDecision {
  const decision = label as Exclude<ExecChoice, typeof AMENDMENT | 'auto'>;
  return fellBackFrom === undefined ? { decision, label } : { decision, label, fellBackFrom };
}

/** Acceptance with the amendment the request proposes, when it offers one. */
function amended(offer: ExecOffer): ResolvedDecision | undefined {
  const amendment = amendmentOf(offer);
  if (amendment === undefined || !offers(offer, AMENDMENT)) return undefined;
  return { decision: { acceptWithExecpolicyAmendment: { execpolicy_amendment: amendment } }, label: AMENDMENT };
}

/** Accepts with the offered amendment, if any, else for the session, else once; undefined when none is offered. */
function acceptAuto(offer: ExecOffer): ResolvedDecision | undefined {
  const withAmendment = amended(offer);
  if (withAmendment !== undefined) return withAmendment;
  if (offers(offer, 'acceptForSession')) return plain('acceptForSession');
  if (offers(offer, 'accept')) return plain('accept');
  return undefined;
}

/**
 * The command decision to send for `choice`. When the request does not offer it (or, for an
 * execpolicy amendment, proposes none), the nearest safer offered one: decline, then cancel.
 * `auto` takes the most lasting acceptance offered (amendment, session, once).
 */
export function resolveExecDecision(choice: ExecChoice, offer: ExecOffer): ResolvedDecision {
  const chosen = choice === 'auto' ? acceptAuto(offer) : choice === AMENDMENT ? amended(offer) : offers(offer, choice) ? plain(choice) : undefined;
  if (chosen !== undefined) return chosen;
  if (offers(offer, 'decline')) return plain('decline', choice);
  if (offers(offer, 'cancel')) return plain('cancel', choice);
  // Nothing safe is offered: decline anyway rather than approve what was not chosen.
  return plain('decline', choice);
}
