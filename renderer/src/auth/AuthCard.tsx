import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Logo } from '../components/Layout';
import './AuthCard.css';

interface AuthCardProps {
  title: string;
  subtitle: string;
  children: ReactNode;
  footer: ReactNode;
}

export function AuthCard({ title, subtitle, children, footer }: AuthCardProps) {
  const { t } = useTranslation('auth');
  return (
    <div className="auth">
      <section className="auth__card" aria-labelledby="auth-title">
        <div className="auth__brand">
          <Logo />
          <p className="auth__tagline">{t('app.tagline')}</p>
        </div>
        <h1 id="auth-title" className="auth__title">
          {title}
        </h1>
        <p className="auth__subtitle">{subtitle}</p>
        {children}
      </section>
      <p className="auth__footer">{footer}</p>
    </div>
  );
}
