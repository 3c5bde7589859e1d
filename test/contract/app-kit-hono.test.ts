// The app kit on hono (its fetch-style handler) against the real gateway (the suite is test/support/app-kit-suite.ts).
import { runAppKitSuite } from '../support/app-kit-suite.ts';

runAppKitSuite('hono');
