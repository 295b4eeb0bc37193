import type { ArgDef, ArgsDef } from "citty";

/**
 * What the command line said, before any value is checked. citty's own
 * parser takes unknown flags as booleans, so udpot reads argv itself, the way
 * the old tool's argparse did: `--name value`, `--name=value`, `-x value`,
 * `-xvalue`, `-x=value`, switch clusters (`-vr`), long names shortened to any
 * unique prefix, and `--` ending the options.
 */
export interface CommandLine {
  /** Declared name to value: the string given, or true for a switch. */
  values: Map<string, string | true>;
  /** The first thing that could not be read, reported unless help or version was asked. */
  problem?: string;
}

interface Option {
  name: string;
  takesValue: boolean;
}

/** Reads argv against citty argument declarations; positionals fill the declared ones in order. */
export function readCommandLine(argv: readonly string[], args: ArgsDef): CommandLine {
  const reader = new ArgvReader(argv, args);
  reader.readAll();
  return { values: reader.values, ...(reader.problem && { problem: reader.problem }) };
}

class ArgvReader {
  readonly values = new Map<string, string | true>();
  problem: string | undefined;
  private index = 0;
  private readonly positionalNames: string[];
  private readonly options: [name: string, def: ArgDef][];

  constructor(
    private readonly argv: readonly string[],
    args: ArgsDef,
  ) {
    const entries = Object.entries(args);
    this.positionalNames = entries.filter(([, d]) => d.type === "positional").map(([n]) => n);
    this.options = entries.filter(([, d]) => d.type !== "positional");
  }

  readAll(): void {
    let optionsEnded = false;
    for (; this.index < this.argv.length; this.index++) {
      const token = this.argv[this.index] ?? "";
      if (optionsEnded || !looksLikeOption(token)) this.addPositional(token);
      else if (token === "--") optionsEnded = true;
      else if (token.startsWith("--")) this.readLong(token);
      else this.readShortCluster(token);
    }
  }

  private readLong(token: string): void {
    const equals = token.indexOf("=");
    const typed = equals < 0 ? token.slice(2) : token.slice(2, equals);
    const option = this.findLong(typed);
    if (!option) return;
    if (!option.takesValue) {
      if (equals >= 0) this.fail(`--${option.name} takes no value, got ${quote(token)}`);
      else this.values.set(option.name, true);
      return;
    }
    const value = equals < 0 ? this.takeNextValue(option) : token.slice(equals + 1);
    if (value !== undefined) this.values.set(option.name, value);
  }

  /** `-vr`, `-p5053`, `-vp 5053`: switches until one that takes a value eats the rest. */
  private readShortCluster(token: string): void {
    for (let at = 1; at < token.length; at++) {
      const letter = token.charAt(at);
      const option = this.findShort(letter);
      if (!option) {
        this.fail(`unknown option ${quote(`-${letter}`)}`);
        return;
      }
      if (!option.takesValue) {
        this.values.set(option.name, true);
        continue;
      }
      const attached = token.slice(at + 1).replace(/^=/, "");
      const value = at + 1 < token.length ? attached : this.takeNextValue(option);
      if (value !== undefined) this.values.set(option.name, value);
      return;
    }
  }

  private takeNextValue(option: Option): string | undefined {
    const next = this.argv[this.index + 1];
    if (next === undefined || (looksLikeOption(next) && !isNegativeNumber(next))) {
      this.fail(`--${option.name} needs a value`);
      return undefined;
    }
    this.index++;
    return next;
  }

  private addPositional(token: string): void {
    const name = this.positionalNames.find((n) => !this.values.has(n));
    if (name) this.values.set(name, token);
    else this.fail(`unexpected argument ${quote(token)}: ${this.positionalLimit()}`);
  }

  private findLong(typed: string): Option | undefined {
    const exact = this.options.find(([name]) => name === typed);
    if (exact) return toOption(exact);
    const candidates = this.options.filter(([name]) => typed !== "" && name.startsWith(typed));
    const [only] = candidates;
    if (only && candidates.length === 1) return toOption(only);

    const names = candidates.map(([name]) => `--${name}`).join(", ");
    if (candidates.length > 1) this.fail(`ambiguous option ${quote(`--${typed}`)}: ${names}?`);
    else this.fail(`unknown option ${quote(`--${typed}`)}`);
    return undefined;
  }

  private findShort(letter: string): Option | undefined {
    const found = this.options.find(([, def]) => aliasesOf(def).includes(letter));
    return found && toOption(found);
  }

  private positionalLimit(): string {
    const names = this.positionalNames.map((n) => n.toUpperCase());
    return names.length === 0 ? "no arguments are taken" : `only ${names.join(" ")} is taken`;
  }

  private fail(problem: string): void {
    this.problem ??= problem;
  }
}

function toOption([name, def]: [string, ArgDef]): Option {
  return { name, takesValue: def.type === "string" || def.type === "enum" };
}

function aliasesOf(def: ArgDef): string[] {
  if (!("alias" in def) || def.alias === undefined) return [];
  return typeof def.alias === "string" ? [def.alias] : def.alias;
}

/** A lone `-` is an ordinary argument (conventionally stdin), as in argparse. */
function looksLikeOption(token: string): boolean {
  return token.startsWith("-") && token !== "-";
}

/** `-c -1` gives -1 to --req-count (to be refused by range), as argparse does. */
function isNegativeNumber(token: string): boolean {
  return /^-\d+(\.\d+)?$/.test(token);
}

/** JSON quoting escapes control bytes, so a hostile argument cannot drive the terminal. */
export function quote(text: string): string {
  return JSON.stringify(text);
}
