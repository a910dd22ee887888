/** The simulators' programmatic API, for `npm run demo`, benchmarks and tests. */
export { startHouseholdSimulation, type HouseholdSimulation, type HouseholdSimulationOptions, type SimulationProgress } from './household-simulation.js';
export { playIncident, type PlayIncidentOptions, type PlayIncidentReport } from './play-incident.js';
export { runLoad, type LoadOptions, type LoadReport } from './load-generator.js';
export { readCredentials, parseCredentials, groupByHousehold, CredentialsError, type DeviceCredential, type HouseholdCredentials } from './credentials.js';
export { INCIDENT_TYPES, SOS_VARIANTS, IncidentNotPossibleError, type IncidentType, type SosVariant, type IncidentReport } from './incidents.js';
export { SimulatedDevice, type SimulatedDeviceOptions, type SendResult } from './simulated-device.js';
export { SimClock } from './clock.js';
export { startResponderSimulation, type ResponderSimulation, type ResponderSimulationOptions, type ResponderSimulationStats } from './responder-simulator.js';
export { readResponderLogins, fieldResponders, type ResponderLogin } from './responder-logins.js';
