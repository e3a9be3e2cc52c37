import "server-only";
import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authSecret } from "@/lib/env";
import { clientAddress } from "@/lib/http/client-ip";
import { checkCredentials } from "./credentials";
import { sessionJwt } from "./session-version";

/** Thrown from authorize when the email or address has too many recent failures. */
export class SignInRateLimited extends CredentialsSignin {
  code = "rate_limited";
}

// Lazy config: AUTH_SECRET is read per request, so `next build` does not need it.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: authSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in" },
  // A wrong password is an expected outcome, not a server error worth a stack trace.
  logger: {
    error(error: Error) {
      // class names are minified in production builds; Auth.js errors carry their kind in `type`
      if ((error as { type?: string }).type !== "CredentialsSignin") console.error("[auth]", error);
    },
  },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const email = typeof credentials?.email === "string" ? credentials.email : "";
        const password = typeof credentials?.password === "string" ? credentials.password : "";
        if (!email || !password) return null;
        const result = await checkCredentials(email, password, (request && clientAddress(request.headers)) || "unknown");
        if (result.ok) {
          const { id, email: userEmail, name, sessionVersion } = result.user;
          return { id: String(id), email: userEmail, name, sessionVersion };
        }
        if (result.reason === "rate_limited") throw new SignInRateLimited();
        return null;
      },
    }),
  ],
  callbacks: {
    // checks the session version on every request: Sign out everywhere and a password change end old sessions
    jwt: ({ token, user }) => sessionJwt({ token, user: user as { id?: string; sessionVersion?: unknown } | undefined }),
    session({ session, token }) {
      if (session.user && typeof token.uid === "string") session.user.id = token.uid;
      return session;
    },
  },
}));
