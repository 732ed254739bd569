/** Awaits a call that must fail and returns its ConnectError (failing the test if it succeeded). */
import { ConnectError } from "@connectrpc/connect";

/** The ConnectError a promise rejects with; throws when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (err) {
    return ConnectError.from(err);
  }
  throw new Error("expected the call to fail, but it succeeded");
}
