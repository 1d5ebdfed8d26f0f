export {
  dataEnvelope,
  type ErrorCode,
  type ErrorEnvelope,
  errorCodes,
  errorEnvelopeSchema,
  errorRegistry,
} from "./errors.js";
export { type Health, healthResponseSchema, healthSchema } from "./health.js";
