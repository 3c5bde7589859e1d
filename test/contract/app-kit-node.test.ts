// The app kit on node:http against the real gateway (the suite is test/support/app-kit-suite.ts).
import { runAppKitSuite } from '../support/app-kit-suite.ts';

runAppKitSuite('node:http');
