export { relayClient, type BrokerAccess, type RelayClientOptions } from './relay-client.ts';
export { builtInRelayProfiles, findRelayProfile, loadRelayProfileFile, profileDir, RelayProfileError, type LoadedRelayProfile } from './profile-file.ts';
export { classify, imageOfUrl, type Classified } from './attribution.ts';
export { fill, fillString, valueAt, TemplateError } from './template.ts';
