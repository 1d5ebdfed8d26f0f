/**
 * Routing entered a step more often than its `maxVisits` allows (seed 003's
 * test → fix-tests → test loop that never turns green): the run gives up with this reason.
 */
export class RoutingLimitError extends Error {
  override readonly name = "RoutingLimitError";
  readonly code = "ROUTE_MAX_VISITS";
  readonly stepId: string;
  readonly maxVisits: number;

  constructor(stepId: string, maxVisits: number, routedBy: string | undefined) {
    super(
      `giving up: step "${stepId}" was reached ${maxVisits + 1} times, more than its maxVisits of ${maxVisits}` +
        (routedBy ? ` (routed there by ${routedBy})` : ""),
    );
    this.stepId = stepId;
    this.maxVisits = maxVisits;
  }
}
