/** Arguments that do not satisfy a template's argsSchema; one shape for YAML and TS. */
export class ArgsValidationError extends Error {
  override readonly name = "ArgsValidationError";
  readonly code = "ARGS_INVALID";
  /** One entry per problem: `{ path: "environment", message: "must be one of dev, staging" }`. */
  readonly issues: Array<{ path: string; message: string }>;

  constructor(issues: Array<{ path: string; message: string }>) {
    super(
      `invalid arguments: ${issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")}`,
    );
    this.issues = issues;
  }
}
