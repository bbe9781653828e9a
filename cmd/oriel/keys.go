package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

// keysCommands manage the encryption keys of stored secrets.
var keysCommands = []command{
	{"rotate", "re-encrypt every stored secret with the newest key", cmdKeysRotate},
}

// cmdKeys dispatches `oriel keys …`.
func cmdKeys(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "oriel keys", "Manages the encryption keys of stored credentials and secrets.",
		keysCommands, args, env, stdout, stderr)
}

// cmdKeysRotate re-encrypts every sealed value that is not under the newest
// key of ORIEL_ENCRYPTION_KEYS. It works in small transactions and skips
// values already rewrapped, so it may be interrupted and run again.
func cmdKeysRotate(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) error {
	f := newCommandFlags("oriel keys rotate", "[flags]",
		`Re-encrypts every stored secret with the newest key of `+encryptionKeysEnv+` (its last
entry). Rotate a key in three steps:

  1. append the new key to `+encryptionKeysEnv+` on every replica and restart them
     (the newest key encrypts from then on; all keys still decrypt);
  2. run this command until it reports 0 values re-encrypted (it is safe to
     interrupt and to run while the servers run);
  3. remove the old key from `+encryptionKeysEnv+` and restart.`)
	sf, lf := addStoreFlags(f), addLogFlags(f, slog.LevelWarn)
	batch := f.Int("batch", 100, "values re-encrypted per transaction")
	dev := f.Bool("dev", false, "use the development key file in the data directory when "+encryptionKeysEnv+" is unset")
	if err := f.parse(args, env, stdout); err != nil {
		return err
	}
	if *batch <= 0 {
		return f.usageErrorf("--batch must be positive, not %d", *batch)
	}
	logger, err := lf.logger(stderr)
	if err != nil {
		return err
	}
	keyring, err := loadKeyring(env, *dev, sf.dataDir, logger)
	if err != nil {
		return err
	}
	db, err := sf.open(ctx, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	db.UseKeyring(keyring)
	n, err := db.RotateKeys(ctx, *batch)
	fmt.Fprintf(stdout, "Re-encrypted %d values with key %q.\n", n, keyring.CurrentID())
	if err != nil {
		return fmt.Errorf("some values were not re-encrypted (run again after fixing the cause): %w", err)
	}
	return nil
}
