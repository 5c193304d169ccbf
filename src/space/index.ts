export * from './spec';
export * from './layers';
export * from './architecture';
export * from './presets';
export * from './flops';
