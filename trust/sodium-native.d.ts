/** The part of sodium-native's API the code base calls (the package ships no types). Functions throw on libsodium's -1. */
declare module 'sodium-native' {
  const sodium: {
    crypto_sign_keypair(publicKey: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
    crypto_core_ed25519_is_valid_point(point: Uint8Array): boolean;
    crypto_scalarmult_ed25519_noclamp(result: Uint8Array, scalar: Uint8Array, point: Uint8Array): void;
  };
  export default sodium;
}
