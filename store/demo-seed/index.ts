/** The demo community of `seed --demo` / `npm run demo` (DESIGN §1). */
export { seedDemoCommunity, type SeedDemoOptions, type SeedDemoResult, type SeedCounts } from './seed-demo-community.js';
export {
  readDemoDevices, readDemoLogins, demoDevicesPath, demoLoginsPath,
  type DemoDeviceCredential, type DemoDevicesFile, type DemoLogin, type DemoLoginsFile,
} from './demo-files.js';
export { planDemoCommunity, type DemoPlan } from './demo-plan.js';
