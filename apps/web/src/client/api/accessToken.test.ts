import { afterEach, describe, expect, it } from "vitest";
import { accessToken, withToken } from "./accessToken";

afterEach(() => {
  localStorage.clear();
  window.history.replaceState(null, "", "/");
});

describe("the access token", () => {
  it("is taken from the address once, kept, and removed from the address bar", () => {
    window.history.replaceState(null, "", "/?project=p1&token=s3cret-token-value&run=r1");
    expect(accessToken()).toBe("s3cret-token-value");
    expect(window.location.search).toBe("?project=p1&run=r1");
    // Later reads (and a reload without it in the address) still have it.
    expect(accessToken()).toBe("s3cret-token-value");
    expect(withToken("/ws")).toBe("/ws?token=s3cret-token-value");
  });

  it("is absent when the server never gave one", () => {
    expect(accessToken()).toBeUndefined();
    expect(withToken("/ws")).toBe("/ws");
  });
});
