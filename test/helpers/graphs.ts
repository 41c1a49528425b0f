// Tests use the same graph builders as the scenario catalogue.
export * from '../../src/scenarios/graphs.ts';
