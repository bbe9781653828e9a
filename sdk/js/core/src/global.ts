// The script-tag build: <script src="…/sdk/oriel.js"> defines window.Oriel.
import { createOriel } from "./index";

(window as unknown as { Oriel: { createOriel: typeof createOriel } }).Oriel = { createOriel };
