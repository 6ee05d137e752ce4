/** IPC channel names, shared by main and the preload; nothing else knows them. */
export const apiChannel = (method: string): string => `denseray:api:${method}`;
/** Back-end events pushed to the window. */
export const EVENT_CHANNEL = 'denseray:event';
/** Paths of files dropped on the window (the preload resolves File objects to paths). */
export const DROP_CHANNEL = 'denseray:dropped-paths';
