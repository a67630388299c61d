import { expect, test } from "bun:test";
import { ApiError } from "@ox/client";
import { fieldErrors } from "./field-errors";

const FIELDS = ["name", "pan", "bankAccount", "ifsc"] as const;
const err = (code: string, message: string) =>
  new ApiError(400, code as ConstructorParameters<typeof ApiError>[1], message);

test("a VALIDATION_ERROR's parts land on their fields; unknown parts and other codes do not", () => {
  expect(
    fieldErrors(
      err(
        "VALIDATION_ERROR",
        "name: letters, spaces, . ' - only; ifsc: IFSC must look like ABCD0123456; body: x",
      ),
      FIELDS,
    ),
  ).toEqual({ name: "letters, spaces, . ' - only", ifsc: "IFSC must look like ABCD0123456" });
  expect(fieldErrors(err("KYC_PENDING", "name: nope"), FIELDS)).toEqual({});
  expect(fieldErrors(new Error("name: nope"), FIELDS)).toEqual({});
});
