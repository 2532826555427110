/** Codes raised by the inventory service, listed in docs/errors.md. */
export const InventoryErrorCode = {
  /** A chain without the bike it is on, or a bikeId on anything but a chain. */
  ChainBike: 'WS_INVENTORY_CHAIN_BIKE',
} as const;
export type InventoryErrorCode = (typeof InventoryErrorCode)[keyof typeof InventoryErrorCode];
