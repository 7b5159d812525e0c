export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert" data-testid="form-error">
      <svg aria-hidden="true" viewBox="0 0 20 20" width="18" height="18">
        <path
          fill="currentColor"
          d="M10 1.67a8.33 8.33 0 1 0 0 16.66 8.33 8.33 0 0 0 0-16.66Zm.83 12.5H9.17V12.5h1.66v1.67Zm0-3.34H9.17v-5h1.66v5Z"
        />
      </svg>
      <span>{message}</span>
    </div>
  );
}
