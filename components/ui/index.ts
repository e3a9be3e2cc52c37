// Small UI primitives shared by every feature. Import from "@/components/ui".
export { cn } from "./cn";
export { Alert, type AlertTone } from "./alert";
export { Badge, type BadgeTone } from "./badge";
export { Button, ButtonLink, buttonClasses, type ButtonProps, type ButtonSize, type ButtonVariant } from "./button";
export { Card, CardBody, CardFooter, CardHeader } from "./card";
export { CopyButton } from "./copy-button";
export { EmptyState } from "./empty-state";
export { Field, type FieldProps } from "./field";
export { FormMessage } from "./form-message";
export { Checkbox, Input, Select, Textarea, controlClasses } from "./input";
export { ConfirmDialog, Modal, type ConfirmDialogProps, type ModalProps } from "./modal";
export { PageHeader } from "./page-header";
export { RelativeTime } from "./relative-time";
export { formatAbsolute, formatRelative } from "./format-time";
export { Spinner } from "./spinner";
export { SubmitButton } from "./submit-button";
export { Table, TBody, TD, TH, THead, TR } from "./table";
export { Tabs, type TabItem } from "./tabs";
