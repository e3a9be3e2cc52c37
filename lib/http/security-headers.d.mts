type Header = { key: string; value: string };
type Rule = { source: string; has?: { type: "header"; key: string; value: string }[]; headers: Header[] };
export declare const SECURITY_HEADERS: Header[];
export declare const HSTS_HEADER: Header;
export declare function securityHeaderRules(env?: Record<string, string | undefined>): Rule[];
export declare function hstsAlways(env?: Record<string, string | undefined>): boolean;
