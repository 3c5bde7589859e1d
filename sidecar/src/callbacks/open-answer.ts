// The channels an app's answer to an open callback subscribes the new connection to (SPEC A10): `{"subscribe":[…]}`. Pure.
import { channelNameRule, isChannelName } from '../hub/channel-name.ts';

export interface OpenSubscription {
  /** Valid names, each once, in the order given. */
  channels: string[];
  /** What was wrong with the rest, one line each (logged; the valid names are still joined). */
  problems: string[];
}

/**
 * undefined when the answer subscribes nothing: not JSON, not an object, or no `subscribe` key (Olares' `{"code":0}`).
 */
export function parseOpenAnswer(text: string): OpenSubscription | undefined {
  if (!text.includes('"subscribe"')) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !Object.hasOwn(body, 'subscribe')) return undefined;
  const wanted = (body as { subscribe: unknown }).subscribe;
  if (!Array.isArray(wanted)) return { channels: [], problems: ['subscribe: expected an array of channel names'] };
  const channels = new Set<string>();
  const problems: string[] = [];
  wanted.forEach((name: unknown, i) => {
    if (typeof name === 'string' && isChannelName(name)) channels.add(name);
    else problems.push(`subscribe[${i}]: ${JSON.stringify(name)?.slice(0, 80) ?? String(name)} is not a channel name (${channelNameRule})`);
  });
  return { channels: [...channels], problems };
}
