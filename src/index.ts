export * from './cognito-impersonation';
export * from './strategy';
