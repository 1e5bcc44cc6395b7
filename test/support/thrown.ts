/** Assertion helpers for code that must fail: they return the error so a test can inspect it. */
import { expect } from 'vitest';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** Runs `fn`, which must throw an instance of `type`; returns that error. */
export function thrown<E>(type: ErrorClass<E>, fn: () => unknown): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}, nothing was thrown`);
}

/** Awaits `work`, which must reject with an instance of `type`; returns that error. */
export async function rejected<E>(type: ErrorClass<E>, work: Promise<unknown>): Promise<E> {
  try {
    await work;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a rejection with a ${type.name}`);
}
