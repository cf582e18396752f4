/**
 * The engine's event stream: types, the stream, the journal subscriber.
 *
 * @module
 */
export * from "./types.ts";
export { EventStream } from "./stream.ts";
export { LazyJournal, type OpenedJournal } from "./journal.ts";
