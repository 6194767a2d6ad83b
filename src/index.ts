export * from './cognito-impersonation';
export * from './strategy';
export * from './approval';
export * from './strategies/pre-token-generation-options';
export * from './strategies/custom-challenge-options';
export * from './strategies/groups-options';
export * from './dashboard-options';
export * from './volume-limits';
