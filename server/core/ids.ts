import { v7, validate } from 'uuid';

/** UUIDv7: time-ordered, so ids also sort rows by creation (used by cursor pagination). */
export const newId = (): string => v7();
export const isId = (value: string): boolean => validate(value);
