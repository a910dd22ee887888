/** The demo community of `seed --demo` / `npm run demo` (DESIGN §1). */
export { secondCommunitySize, seedDemoCommunity, type SeedDemoOptions, type SeedDemoResult, type SeedCounts } from './seed-demo-community.js';
export {
  readDemoDevices, readDemoLogins, demoDevicesPath, demoLoginsPath,
  type DemoDeviceCredential, type DemoDevicesFile, type DemoLogin, type DemoLoginsFile,
} from './demo-files.js';
export { planDemoCommunity, type DemoPlan } from './demo-plan.js';
export { DEMO_STREET, SECOND_COMMUNITY } from './demo-second-community.js';
