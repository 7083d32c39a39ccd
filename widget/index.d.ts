// Type declarations for @vizochok/widget 1.0 (docs/widget.md describes every field).

export type Language = "uk" | "en" | "ru";

/** CSS values; each also exists as a custom property (`--vz-primary`, …) the host page may set. */
export interface ThemeConfig {
  /** Buttons, the header and the shopper's bubbles. `--vz-primary`, default `#2d8a4e`. */
  primaryColor?: string;
  /** Text on the primary colour. `--vz-primary-text`, default `#fff`. */
  primaryTextColor?: string;
  /** Promo prices, promo labels and the launcher's cart count. `--vz-accent`, default `#e4572e`. */
  accentColor?: string;
  /** Panel, bubbles and cards. `--vz-background`, default `#fff`. */
  backgroundColor?: string;
  /** Behind the messages. `--vz-surface`, default `#f3f6f3`. */
  surfaceColor?: string;
  /** `--vz-text`, default `#1d2a1f`. */
  textColor?: string;
  /** Brands, old prices, hints. `--vz-muted`, default `#6b7a6e`. */
  mutedColor?: string;
  /** `--vz-border`, default `#e2e8e3`. */
  borderColor?: string;
  /** `--vz-font`, default the system UI font. */
  fontFamily?: string;
  /** Corner radius of the panel. `--vz-radius`, default `16px`. */
  borderRadius?: string;
  /** Stacking order of the floating launcher and panel. `--vz-z`, default `2147483000`. */
  zIndex?: number | string;
}

/** A line of the shopper's selection (the retailer's cart). */
export interface CartItem {
  sku: string;
  name: string;
  /** Per unit. */
  price: number;
  promo_price: number | null;
  brand: string | null;
  quantity: number;
}

export type CartAction = "item_selected" | "item_removed" | "quantity_updated" | "cart_cleared";

/** Passed to `onCartChanged` after every cart change the retailer confirmed. */
export interface CartChangedEvent {
  action: CartAction;
  /** Absent for `cart_cleared`. */
  sku?: string;
  name?: string;
  /** The line's new quantity. */
  quantity?: number;
  price?: number;
  /** The whole cart after the change. */
  items: CartItem[];
  /** Cart value; `promo_price` where present. */
  total: number;
}

/** A product card as the server sent it; prices come from the retailer's products webhook. */
export interface ProductCard {
  sku: string;
  name: string;
  brand: string | null;
  price: number;
  promo_price: number | null;
  promo_label: string | null;
  image_url: string | null;
  unit: string;
  quantity_step: number | null;
  min_quantity: number | null;
  in_stock: boolean;
}

/** Passed to `onProductClick` when the shopper presses Add on a card. */
export interface ProductItem extends ProductCard {
  /** The quantity chosen with the card's stepper. */
  quantity: number;
}

/** Passed to `onSessionComplete` after every finished turn (`response_complete`). */
export interface SessionSummary {
  conversation_id: string | null;
  /** Messages the shopper sent through this widget since the page loaded. */
  messages: number;
  items: CartItem[];
  total: number;
}

export type ErrorCode =
  | "rate_limit_exceeded" | "user_message_limit" | "user_conversation_limit"
  | "tenant_daily_token_limit" | "tenant_monthly_token_limit" | "agent_busy"
  | "session_token_limit" | "max_rounds_exceeded" | "message_too_large" | "invalid_json"
  | "internal_error" | "no_catalog_data" | "invalid_api_key" | "origin_not_allowed";

/** Passed to `onError`; the widget has already shown `message` in the chat. */
export interface WidgetError {
  code: ErrorCode | string;
  /** The localised text the shopper saw. */
  message: string;
  /** `rate_limit_exceeded` and `agent_busy`: the widget resends the refused frame by itself. */
  retryable: boolean;
  /** Seconds until a retry is allowed (`rate_limit_exceeded`). */
  retry_after?: number;
  /** The daily cap that was reached (`user_message_limit`, `user_conversation_limit`). */
  limit?: number;
  /** Largest frame in bytes (`message_too_large`). */
  max_size?: number;
  /** True when the browser refused the message before sending it. */
  local?: boolean;
}

export interface VIZOCHOKWidgetConfig {
  /** A public key (`pk_…`) with the `chat` scope. Secret keys are refused. */
  apiKey: string;
  /** Scopes the session and routes the retailer's webhooks. */
  storeId: string;
  /** The shopper's id in your shop: personalisation, per-user limits, the cart webhooks' `session_id`.
   *  Without it the widget keeps a random id in localStorage (`vz-uid-{storeId}`). */
  userId?: string;
  /** HMAC-SHA256 of `userId` under your identity secret, lowercase hex, made by your backend
   *  (docs/identity.md). Without a valid signature the server treats the shopper as a guest. */
  userHash?: string;
  /** Instead of `userHash`: a short-lived HS256 JWT from your backend whose `sub` is `userId`. */
  userToken?: string;
  /** Texts, status lines and error messages. Default `"uk"`. */
  language?: Language;
  /** Default `"https://api.vizochok.com"`; the socket is `wss://…/api/v1/ws/chat`. */
  apiBase?: string;
  theme?: ThemeConfig;
  /** Default `"bottom-right"`. */
  position?: "bottom-right" | "bottom-left";
  /** Header title. Default `"Помічник"` (`"Assistant"` in English, `"Помощник"` in Russian). */
  botName?: string;
  /** Header avatar URL; a letter icon otherwise. */
  botAvatar?: string;
  placeholder?: string;
  /** First bubble of an empty chat. */
  welcomeMessage?: string;
  /** Prompt chips under the welcome bubble. */
  suggestions?: string[];
  /** ISO 4217 code for prices. Default `"UAH"`. */
  currency?: string;
  onCartChanged?: (cart: CartChangedEvent) => void;
  onProductClick?: (product: ProductItem) => void;
  onSessionComplete?: (summary: SessionSummary) => void;
  onError?: (error: WidgetError) => void;
  onConnect?: () => void;
  onDisconnect?: () => void;
}

export declare class VIZOCHOKWidget {
  /** Throws at once when `apiKey` or `storeId` is missing, or the key is not a `pk_` key. */
  constructor(config: VIZOCHOKWidgetConfig);
  static readonly version: string;
  /** Every UI text and error message, by language. */
  static readonly messages: Record<Language, Record<string, unknown>>;
  static readonly maxFrameBytes: number;
  readonly config: VIZOCHOKWidgetConfig;
  /** The shopper id sent as `user_id` (after `mount()`). */
  readonly userId: string | null;
  /** What the server made of the signature: `"verified"`, `"anonymous"` (a guest id replaced
   *  `userId`), or null when no signature was sent. */
  readonly identity: "verified" | "anonymous" | null;
  readonly conversationId: string | null;
  readonly cart: { items: CartItem[]; total: number };
  readonly isOpen: boolean;
  /** Floating launcher and panel without an argument; inline, always open, inside `container` with one. */
  mount(container?: HTMLElement): this;
  /** Closes the socket, stops timers, removes the widget's element. */
  destroy(): void;
  open(): void;
  close(): void;
  /** Sends as if the shopper typed it; false when refused in the browser (empty, or over 64 KiB). */
  sendMessage(text: string): boolean;
  /** Adds a product like a card's Add button; the server accepts only SKUs this conversation was shown or has in the cart. */
  addToCart(sku: string, quantity?: number): void;
  /** Forgets the conversation and starts a new one. */
  newConversation(): void;
}

export default VIZOCHOKWidget;
