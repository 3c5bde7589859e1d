// What a channel name may be (SPEC A10): 1–200 ASCII letters, digits or `_-:./@#=`. Pure.

export const maxChannelNameLength = 200;

const channelName = /^[A-Za-z0-9_\-:./@#=]+$/;

/** What is allowed, for error messages. */
export const channelNameRule = `1-${maxChannelNameLength} characters, each an ASCII letter, a digit or one of _-:./@#=`;

export function isChannelName(name: string): boolean {
  return name.length >= 1 && name.length <= maxChannelNameLength && channelName.test(name);
}

/** Whether `prefix` can start a channel name (`?prefix=` of the channel list): empty, or valid characters only. */
export function isChannelPrefix(prefix: string): boolean {
  return prefix === '' || isChannelName(prefix);
}
