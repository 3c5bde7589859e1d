// zod for the gateway: its small build (zod/mini), with zod's English messages. Sidecar schemas import zod from here.
// zod/mini is the same validator as `zod` with checks as functions instead of methods, so a bundle keeps only the
// ones it uses: ~2.9 MiB less idle RSS per pod than the full build. Unlike `zod`, it has no messages of its own
// until a locale is configured; this sets zod's English ones (a process-wide setting, the one `zod` sets).
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
