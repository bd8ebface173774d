// The providers every deployment needs in its stack.
export { configureBaseProviders, type BaseProvidersProps } from './providers';
