export const EDGE_VERSION = '0.1.0';
